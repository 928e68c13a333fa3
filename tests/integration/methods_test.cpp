// Request targets that are not a path: `OPTIONS *` and CONNECT's host:port, on
// the real binary. Where Apache 2.4 is installed each case runs against it with
// the same configuration and must give the same status and Allow (or none).

#include "support/server.h"
#include "support/twin.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sonora::test {
namespace {

class Methods : public ::testing::Test {
protected:
    Methods() : site("") { site.write_doc("index.html", "DOCUMENT index\n"); }

    std::vector<Response> both(const std::vector<std::string>& requests, const std::vector<int>& expected) {
        auto sonora = site.exchange("sonora", requests);
        EXPECT_EQ(statuses(sonora), expected) << site.read_log("sonora", "error_log");
        if (apache_available()) {
            auto apache = site.exchange("apache", requests);
            EXPECT_EQ(statuses(apache), expected) << site.read_log("apache", "error_log");
            for (std::size_t i = 0; i < apache.size() && i < sonora.size(); ++i) {
                EXPECT_EQ(sonora[i].header("Allow").empty(), apache[i].header("Allow").empty()) << requests[i];
            }
        }
        return sonora;
    }

    static std::string raw(const std::string& method, const std::string& target) {
        return method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    }

    TwinSite site;
};

// httpd's pong: 200, no Allow (the server, not a resource, is asked), no body,
// and no access check (a denied "/" does not matter).
TEST_F(Methods, OptionsAsteriskIsAPongWithoutAllow) {
    site.append_config("<Directory />\nRequire all denied\n</Directory>\n<Location />\nRequire all denied\n</Location>\n");
    auto rs = both({raw("OPTIONS", "*"), raw("OPTIONS", "/index.html")}, {200, 403});
    ASSERT_EQ(rs.size(), 2u);
    EXPECT_EQ(rs[0].header("Allow"), "");
    EXPECT_EQ(rs[0].header("Content-Length"), "0");
    EXPECT_EQ(rs[0].body, "");
}

// Without mod_proxy, CONNECT host:port is served as "/" and the default
// handler refuses the method (405 with Allow); a target that is not
// host:port is 400.
TEST_F(Methods, ConnectWithoutAProxyIs405) {
    site.append_config("<Directory \"" + site.root().str() + "/htdocs\">\nRequire all granted\n</Directory>\n");
    auto rs = both({raw("CONNECT", "example.com:443"), raw("CONNECT", "[::1]:443"), raw("CONNECT", "example.com"),
                    raw("CONNECT", "/index.html"), raw("CONNECT", "example.com:44x")},
                   {405, 405, 400, 400, 400});
    ASSERT_EQ(rs.size(), 5u);
    EXPECT_NE(rs[0].header("Allow"), "");
    EXPECT_TRUE(contains(rs[0].body, "The requested method CONNECT is not allowed for this URL.")) << rs[0].body;
}

TEST_F(Methods, ConnectPassesTheAccessChecksOfSlash) {
    site.append_config("<Location />\nRequire all denied\n</Location>\n");
    both({raw("CONNECT", "example.com:443")}, {403});
}

// httpd-tests t/apache/http_strict.t: an absolute URI's host is held to the
// Strict rules of a Host header, and both refuse numeric forms a resolver
// would read as octal, hexadecimal or short IPv4.
TEST_F(Methods, AbsoluteUriHostsFollowTheStrictHostRules) {
    auto absolute = [](const std::string& authority) {
        return "GET http://" + authority + "/index.html HTTP/1.0\r\n\r\n";
    };
    auto host = [](const std::string& h) { return "GET /index.html HTTP/1.0\r\nHost: " + h + "\r\n\r\n"; };
    both({absolute("localhost:80x"), absolute("localhost:80:80"), absolute("localhost::80"), absolute("foo@localhost:80"),
          absolute("[4712::abcd::]"), absolute("4713::abcd:8001"), absolute("017700000001"), absolute("0x7f.1"),
          absolute("127.01.0.1"), absolute("%3127.0.0.1"), host("127.01.0.1"), host("a.1b")},
         {400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400});
    both({absolute("localhost"), absolute("127.0.0.1:80"), absolute("[::1]"), absolute("a_b.example"),
          host("127.0.0.1"), host("example.com."), host("10.0.0.1:8080")},
         {200, 200, 200, 200, 200, 200, 200});
}

// TRACE echoes the head as httpd rebuilds it ("Name: value", the empty line
// kept) and streams it: chunked to HTTP/1.1, up to the close to HTTP/1.0.
TEST_F(Methods, TraceEchoIsRebuiltAndStreamed) {
    const std::string v11 = "TRACE /index.html HTTP/1.1\r\nHost: localhost\r\nX-A:a\r\nConnection: close\r\n\r\n";
    const std::string v10 = "TRACE /index.html HTTP/1.0\r\nX-B:   b  \r\n\r\n";
    auto rs = both({v11, v10}, {200, 200});
    ASSERT_EQ(rs.size(), 2u);
    EXPECT_EQ(rs[0].header("Transfer-Encoding"), "chunked");
    EXPECT_EQ(rs[0].header("Content-Length"), "");
    // The harness has taken the chunk framing off.
    const std::string echo = "TRACE /index.html HTTP/1.1\r\nHost: localhost\r\nX-A: a\r\nConnection: close\r\n\r\n";
    EXPECT_EQ(rs[0].body, echo);
    EXPECT_EQ(rs[1].header("Transfer-Encoding"), "");
    EXPECT_EQ(rs[1].header("Content-Length"), "");
    EXPECT_EQ(rs[1].header("Connection"), "close");
    EXPECT_EQ(rs[1].body, "TRACE /index.html HTTP/1.0\r\nX-B: b\r\n\r\n");
    if (apache_available()) {
        auto apache = site.exchange("apache", {v11, v10});
        ASSERT_EQ(apache.size(), 2u);
        EXPECT_EQ(apache[0].body, rs[0].body);
        EXPECT_EQ(apache[1].body, rs[1].body);
    }
}

// An error answered to HEAD: no body on the wire, and no Content-Length (httpd
// makes no error page for HEAD); the connection stays usable.
TEST_F(Methods, HeadErrorsHaveNoBodyAndNoLength) {
    site.append_config("<Files \".ht*\">\nRequire all denied\n</Files>\n");
    site.write_doc(".htsecret", "DOCUMENT secret\n");
    const std::string two = "HEAD /.htsecret HTTP/1.1\r\nHost: localhost\r\n\r\n"
                            "HEAD /missing HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    for (const char* which : {"sonora", "apache"}) {
        if (std::string(which) == "apache" && !apache_available()) {
            continue;
        }
        BinaryServer server = site.server(which);
        ASSERT_TRUE(server.start()) << server.startup_error;
        const std::string bytes = http_exchange(server.port(), two);
        server.stop();
        auto rs = parse_responses(bytes, true);
        ASSERT_EQ(rs.size(), 2u) << which << "\n" << bytes;
        EXPECT_EQ(statuses(rs), (std::vector<int>{403, 404})) << which;
        for (const Response& r : rs) {
            EXPECT_EQ(r.header("Content-Length"), "") << which << "\n" << bytes;
        }
        EXPECT_FALSE(contains(bytes, "<html>")) << which << "\n" << bytes;
    }
}

// A Range on HEAD gets GET's 206 head; an unsatisfiable one gets 416 without
// the file's validators.
TEST_F(Methods, RangesOnHeadAndUnsatisfiableRanges) {
    site.write_doc("ten.txt", "0123456789");
    auto range = [](const std::string& method, const std::string& r) {
        return method + " /ten.txt HTTP/1.1\r\nHost: localhost\r\nRange: bytes=" + r + "\r\nConnection: close\r\n\r\n";
    };
    auto rs = both({range("HEAD", "2-4"), range("GET", "20-30"), range("HEAD", "20-30")}, {206, 416, 416});
    ASSERT_EQ(rs.size(), 3u);
    EXPECT_EQ(rs[0].header("Content-Range"), "bytes 2-4/10");
    EXPECT_EQ(rs[0].header("Content-Length"), "3");
    for (const char* h : {"ETag", "Last-Modified", "Accept-Ranges", "Content-Range"}) {
        EXPECT_EQ(rs[1].header(h), "") << h;
    }
}

}  // namespace
}  // namespace sonora::test
