// HostnameLookups Off/On/Double as the access log's %h shows it, scoped per
// <Files> section as the Apache performance notes suggest, with stub
// /etc/hosts entries in a private mount namespace.

#include "support/server.h"
#include "support/stub_hosts.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

namespace sonora::test {
namespace {

// GET `path` from source address `from` (any 127/8 address is ours on loopback).
std::string get_from(const std::string& from, int port, const std::string& path) {
    return http_exchange_from(from, "127.0.0.1", port, "GET " + path + " HTTP/1.0\r\n\r\n", 5000);
}

const char* const kLog = "LogFormat \"%h %U\" hosts\nCustomLog logs/access_log hosts\n";

TEST(HostnameLookupsTest, OffLogsAddressesOnLogsNames) {
    for (const char* mode : {"Off", "On", "Double"}) {
        ServerProcess server(std::string(kLog) + "HostnameLookups " + mode + "\n");
        server.write_doc("a.txt", "hi\n");
        ASSERT_TRUE(server.start()) << server.startup_error;
        ASSERT_NE(get_from("127.0.0.1", server.port(), "/a.txt").find("200 OK"), std::string::npos);
        server.stop();
        // 127.0.0.1 is "localhost" in /etc/hosts, and "localhost" leads back to it.
        EXPECT_EQ(read_file(server.root().str() + "/logs/access_log"),
                  std::string(mode == std::string("Off") ? "127.0.0.1" : "localhost") + " /a.txt\n")
            << mode;
    }
}

TEST(HostnameLookupsTest, ScopedToFilesSectionsAsTheSeedsShow) {
    ServerProcess server(std::string(kLog) + "HostnameLookups Off\n<Files ~ \"\\.(html|cgi)$\">\n"
                                             "HostnameLookups on\n</Files>\n");
    server.write_doc("a.txt", "hi\n");
    server.write_doc("b.html", "<p>hi</p>\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    for (const char* path : {"/a.txt", "/b.html", "/a.txt", "/b.html"}) {
        ASSERT_NE(get_from("127.0.0.1", server.port(), path).find("200 OK"), std::string::npos) << path;
    }
    server.stop();
    EXPECT_EQ(read_file(server.root().str() + "/logs/access_log"),
              "127.0.0.1 /a.txt\nlocalhost /b.html\n127.0.0.1 /a.txt\nlocalhost /b.html\n");
}

// Runs sonora with /etc/hosts replaced by `hosts` for it alone.
class StubHostsServer {
public:
    explicit StubHostsServer(const std::string& extra, const std::string& hosts)
        : port_(free_port()) {
        root_.mkdir("htdocs");
        root_.mkdir("logs");
        root_.write("htdocs/a.txt", "hi\n");
        root_.write("conf/httpd.conf", "Listen 127.0.0.1:" + std::to_string(port_) +
                                           "\nServerName localhost\nDocumentRoot htdocs\nErrorLog logs/error_log\n"
                                           "PidFile logs/sonora.pid\nTypesConfig " SONORA_SOURCE_DIR "/conf/mime.types\n" + extra);
        wrapper_ = stub_hosts_wrapper(root_, SONORA_BINARY, hosts);
    }
    BinaryServer server() const {
        return BinaryServer(wrapper_, root_.str(), "conf/httpd.conf", port_, "logs/sonora.pid");
    }
    int port() const { return port_; }
    std::string log() const { return read_file(root_.str() + "/logs/access_log"); }

private:
    TempDir root_;
    int port_;
    std::string wrapper_;
};

TEST(HostnameLookupsTest, DoubleRequiresTheNameToLeadBack) {
    if (!can_stub_hosts()) {
        GTEST_SKIP() << "needs root and mount namespaces to stub /etc/hosts";
    }
    // .6's reverse name is a lie that cannot lead back to it: it reads as
    // another address. (A hosts file cannot make a proper name's forward and
    // reverse entries disagree: glibc returns every line's address.)
    const std::string hosts = "127.0.0.5 stubhost.example\n127.0.0.6 10.9.9.9\n";
    for (const char* mode : {"On", "Double"}) {
        StubHostsServer site(std::string(kLog) + "HostnameLookups " + mode + "\n", hosts);
        BinaryServer server = site.server();
        ASSERT_TRUE(server.start()) << server.startup_error;
        ASSERT_NE(get_from("127.0.0.5", site.port(), "/a.txt").find("200 OK"), std::string::npos);
        ASSERT_NE(get_from("127.0.0.6", site.port(), "/a.txt").find("200 OK"), std::string::npos);
        server.stop();
        EXPECT_EQ(site.log(), std::string("stubhost.example /a.txt\n") +
                                  (mode == std::string("On") ? "10.9.9.9" : "127.0.0.6") + " /a.txt\n")
            << mode;
    }
}

}  // namespace
}  // namespace sonora::test
