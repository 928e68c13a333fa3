// The MPM's numbers: httpd's defaults per MPM, its fix-ups of conflicting
// settings with httpd's warnings, and <IfModule> seeing the MPM that serves.

#include "../support/config_fixture.h"
#include "mpm/settings.h"

#include <gtest/gtest.h>

namespace sonora::mpm {
namespace {

using test::ConfigRoot;

const std::string kPrefork = "LoadModule mpm_prefork_module modules/mod_mpm_prefork.so\n";
const std::string kWorker = "LoadModule mpm_worker_module modules/mod_mpm_worker.so\n";

Settings settings_of(const std::string& conf, std::vector<std::string>* warnings = nullptr) {
    ConfigRoot root;
    auto g = root.load("ServerName x\n" + conf);
    std::vector<std::string> w;
    Settings s = Settings::from(*g, w);
    if (warnings != nullptr) {
        *warnings = w;
    }
    return s;
}

TEST(MpmSettings, HttpdDefaultsPerMpm) {
    Settings event = settings_of("");
    EXPECT_EQ(event.kind, Kind::Event);
    EXPECT_EQ(event.start_servers, 3);
    EXPECT_EQ(event.threads_per_child, 25);
    EXPECT_EQ(event.max_request_workers, 400);
    EXPECT_EQ(event.max_children(), 16);
    Settings prefork = settings_of(kPrefork);
    EXPECT_EQ(prefork.kind, Kind::Prefork);
    EXPECT_EQ(prefork.start_servers, 5);
    EXPECT_EQ(prefork.min_spare, 5);
    EXPECT_EQ(prefork.max_spare, 10);
    EXPECT_EQ(prefork.max_children(), 256);
    EXPECT_EQ(settings_of(kWorker).kind, Kind::Worker);
}

TEST(MpmSettings, ConflictsAreFixedWithHttpdsWarnings) {
    std::vector<std::string> w;
    Settings s = settings_of("ThreadsPerChild 30\nMaxRequestWorkers 40\n", &w);
    EXPECT_EQ(s.max_request_workers, 30);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(w[0], "SN00513: WARNING: MaxRequestWorkers of 40 is not an integer multiple of ThreadsPerChild of 30, "
                    "decreasing to nearest multiple 30, for a maximum of 1 servers.");
    s = settings_of("ServerLimit 2\nMaxRequestWorkers 100\n", &w);
    EXPECT_EQ(s.max_request_workers, 50);
    EXPECT_EQ(s.max_children(), 2);
    s = settings_of(kPrefork + "ServerLimit 3\nMaxRequestWorkers 10\n", &w);
    EXPECT_EQ(s.max_request_workers, 3);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(w[0], "SN00180: WARNING: MaxRequestWorkers of 10 exceeds ServerLimit value of 3 servers, decreasing "
                    "MaxRequestWorkers to 3. To increase, please see the ServerLimit directive.");
}

// Without a LoadModule naming one, event serves, and <IfModule
// mpm_event_module> is true, as `-M` lists it; once another MPM is loaded,
// it is false.
TEST(MpmSettings, IfModuleSeesTheDefaultEventMpm) {
    EXPECT_EQ(settings_of("<IfModule mpm_event_module>\nStartServers 7\n</IfModule>\n").start_servers, 7);
    EXPECT_EQ(settings_of("<IfModule !mpm_event_module>\nStartServers 7\n</IfModule>\n").start_servers, 3);
    EXPECT_EQ(settings_of(kPrefork + "<IfModule mpm_event_module>\nStartServers 7\n</IfModule>\n").start_servers, 5);
    EXPECT_EQ(settings_of(kPrefork + "<IfModule mpm_prefork_module>\nStartServers 7\n</IfModule>\n").start_servers, 7);
}

}  // namespace
}  // namespace sonora::mpm
