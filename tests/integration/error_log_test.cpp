// ErrorLog destinations (file, piped program, syslog) and LogLevel, observed
// through the real binary.

#include "support/server.h"

#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace sonora::test {
namespace {

// Polls `path` until it contains `needle` (at most `timeout_ms`).
bool wait_for_text(const std::string& path, const std::string& needle, int timeout_ms = 5000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
        if (read_file(path).find(needle) != std::string::npos) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

TEST(ErrorLogTest, PipedErrorLogReceivesTheServersMessages) {
    TempDir out;
    const std::string file = out.str() + "/errors";
    ServerProcess server("ErrorLog \"|$cat >> " + file + "\"\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    EXPECT_TRUE(wait_for_text(file, "configured -- resuming normal operations")) << read_file(file);
    server.stop();
    EXPECT_TRUE(wait_for_text(file, "caught SIGTERM, shutting down")) << read_file(file);
}

TEST(ErrorLogTest, UnknownSyslogFacilityStopsStartup) {
    ServerProcess server("ErrorLog syslog:bogus\n");
    EXPECT_FALSE(server.start());
    EXPECT_NE(server.startup_error.find("SN10036: sonora: could not open syslog error log bogus."), std::string::npos)
        << server.startup_error;
    EXPECT_NE(server.startup_error.find("Unable to open logs"), std::string::npos) << server.startup_error;
}

TEST(ErrorLogTest, SyslogErrorLogServes) {
    ServerProcess server("ErrorLog syslog:local3\n");
    server.write_doc("a.txt", "hi\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    EXPECT_NE(http_exchange(server.port(), "GET /a.txt HTTP/1.0\r\n\r\n").find("200 OK"), std::string::npos);
}

// A restart logs the MPM's fix-ups of the configuration as warnings, as
// httpd does (at the first start they go to the terminal only).
std::string log_after_sighup(const std::string& log_level) {
    ServerProcess server(log_level + "ThreadsPerChild 30\nMaxRequestWorkers 40\n");
    if (!server.start()) {
        return "start failed: " + server.startup_error;
    }
    ::kill(server.pid(), SIGHUP);
    // The notice at startup is always written; wait for the restart's.
    wait_for_text(server.root().str() + "/logs/error_log", "SN00494");
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    server.stop();
    return server.error_log();
}

TEST(ErrorLogTest, LogLevelFiltersByLevelAndModule) {
    if (!test_mpm().empty()) {
        GTEST_SKIP() << "the messages it filters are mpm_event's";
    }
    std::string dflt = log_after_sighup("");
    EXPECT_NE(dflt.find("[mpm_event:warn]"), std::string::npos) << dflt;
    std::string quiet = log_after_sighup("LogLevel error\n");
    EXPECT_EQ(quiet.find("[mpm_event:warn]"), std::string::npos) << quiet;
    // Notice messages (startup, shutdown) are written whatever the level.
    EXPECT_NE(quiet.find("resuming normal operations"), std::string::npos) << quiet;
    EXPECT_NE(quiet.find("caught SIGTERM"), std::string::npos) << quiet;
    std::string per_module = log_after_sighup("LogLevel error mpm_event:warn\n");
    EXPECT_NE(per_module.find("[mpm_event:warn]"), std::string::npos) << per_module;
    std::string other_module = log_after_sighup("LogLevel warn mpm_event:crit\n");
    EXPECT_EQ(other_module.find("[mpm_event:warn]"), std::string::npos) << other_module;
}

TEST(ErrorLogTest, DenialsAreLoggedWithTheClientUnderTheDirectorysLogLevel) {
    ServerProcess server(
        "LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so\n"
        "<Location /secret>\nRequire all denied\n</Location>\n"
        "<Location /quiet>\nRequire all denied\nLogLevel crit\n</Location>\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    EXPECT_NE(http_exchange(server.port(), "GET /secret HTTP/1.0\r\n\r\n").find(" 403 "), std::string::npos);
    EXPECT_NE(http_exchange(server.port(), "GET /quiet/x HTTP/1.0\r\n\r\n").find(" 403 "), std::string::npos);
    server.stop();
    const std::string log = server.error_log();
    // httpd's layout: [time] [authz_core:error] [pid N:tid N] [client IP:PORT] id: message
    static const std::regex denial(R"(\[authz_core:error\] \[pid \d+:tid \d+\] \[client 127\.0\.0\.1:\d+\] )"
                                   R"(SN01630: client denied by server configuration: (\S+)\n)");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(log, m, denial)) << log;
    EXPECT_EQ(m[1].str(), server.root().str() + "/htdocs/secret");
    EXPECT_EQ(log.find("/htdocs/quiet"), std::string::npos) << "LogLevel crit in <Location /quiet> silences it";
}

// httpd-tests t/apache/loglevel.t: the default handler's 404 reason is an info
// message of module core, so per-directory and per-module levels decide.
TEST(ErrorLogTest, MissingFilesAreLoggedAtInfoUnderTheDirectorysLogLevel) {
    ServerProcess server(
        "<Location /info>\nLogLevel info\n</Location>\n"
        "<Location /info/core_crit>\nLogLevel core:crit\n</Location>\n"
        "<Location /core_info>\nLogLevel crit core:info\n</Location>\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    for (const char* path : {"/info/missing-a", "/info/core_crit/missing-b", "/core_info/missing-c", "/missing-d"}) {
        EXPECT_NE(http_exchange(server.port(), std::string("GET ") + path + " HTTP/1.0\r\n\r\n").find(" 404 "),
                  std::string::npos);
    }
    server.stop();
    const std::string log = server.error_log();
    const std::string docs = server.root().str() + "/htdocs";
    static const std::regex info(R"(\[core:info\] \[pid \d+:tid \d+\] \[client 127\.0\.0\.1:\d+\] )"
                                 R"(SN00128: File does not exist: (\S+)\n)");
    std::vector<std::string> logged;
    for (auto it = std::sregex_iterator(log.begin(), log.end(), info); it != std::sregex_iterator(); ++it) {
        logged.push_back((*it)[1].str());
    }
    EXPECT_EQ(logged, (std::vector<std::string>{docs + "/info/missing-a", docs + "/core_info/missing-c"})) << log;
}

}  // namespace
}  // namespace sonora::test
