// HttpProtocolOptions on the real binary: a Strict address (Require1.0
// RegisteredMethods, the main server) and an Unsafe one (Allow0.9, a
// <VirtualHost> of its own, with a Strict name-based virtual host behind it).
// Each raw request is sent on a connection of its own, the client's side then
// shut, as httpd-tests' t/apache/http_strict.t does. The statuses and headers
// expected are what Apache 2.4.71 answered; where it is installed, it answers
// the same requests here too.

#include "support/server.h"
#include "support/twin.h"

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

namespace sonora::test {
namespace {

// Sends `bytes`, shuts the sending side and reads until the server closes.
std::string send_and_shut(int port, const std::string& bytes) {
    const int fd = connect_to(port);
    if (fd < 0) {
        return {};
    }
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) {
            break;
        }
        sent += static_cast<std::size_t>(n);
    }
    ::shutdown(fd, SHUT_WR);
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd p{fd, POLLIN, 0};
        if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
            break;
        }
        char buf[16384];
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) {
            break;
        }
        out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return out;
}

// The status line, or "" when nothing came back, or "BODY" for a simple
// (HTTP/0.9) response, which has no head.
std::string status_line(const std::string& bytes) {
    if (bytes.empty()) {
        return {};
    }
    if (bytes.rfind("HTTP/", 0) != 0) {
        return "BODY";
    }
    return bytes.substr(0, bytes.find("\r\n"));
}

struct Exchange {
    int port_index;  // 0: the Strict address, 1: the Unsafe one
    std::string request;
    std::string status;  // expected status line; "" dropped; "BODY" a simple response
};

const std::string k200 = "HTTP/1.1 200 OK";
const std::string k400 = "HTTP/1.1 400 Bad Request";
const std::string k501 = "HTTP/1.1 501 Not Implemented";

const std::vector<Exchange> kExchanges = {
    // The same requests on both addresses.
    {0, "GET / HTTP/1.0\r\n\r\n", k200},
    {1, "GET / HTTP/1.0\r\n\r\n", k200},
    {0, "GET / HTTP/1.0\n\n", k400},
    {1, "GET / HTTP/1.0\n\n", k200},
    {0, "GET / HTTP/1.0  \r\nHost: localhost\r\n\r\n", k400},
    {1, "GET / HTTP/1.0  \r\nHost: localhost\r\n\r\n", k200},
    {0, "GET  / http/1.0\r\n\r\n", k400},
    {1, "GET  / http/1.0\r\n\r\n", k200},
    {0, "GET / HTTP/1.0\t\r\n\r\n", k400},
    {1, "GET / HTTP/1.0\t\r\n\r\n", k400},
    {0, "GET / HTTP/1.0\r\nFoo: b\x01" "ar\r\n\r\n", k400},
    {1, "GET / HTTP/1.0\r\nFoo: b\x01" "ar\r\n\r\n", k200},
    {1, "GET / HTTP/1.0\r\nFoo: b\x0b" "ar\r\n\r\n", k400},
    {0, "GET / HTTP/1.0\r\nF\x01o: bar\r\n\r\n", k400},
    {1, "GET / HTTP/1.0\r\nF\x01o: bar\r\n\r\n", k200},
    {1, "GET / HTTP/1.0\r\nFo : bar\r\n\r\n", k400},
    {0, "GET / HTTP/1.0\r\nHost: localhost\r\nHost: localhost\r\n\r\n", k400},
    {1, "GET / HTTP/1.0\r\nHost: localhost\r\nHost: localhost\r\n\r\n", k200},
    {0, "GET / HTTP/1.0\r\nHost: 4714::abcd:8001\r\n\r\n", k400},
    {1, "GET / HTTP/1.0\r\nHost: 4714::abcd:8001\r\n\r\n", k200},
    {0, "GET / HTTP/1.0\r\nHost: abc\xa0\r\n\r\n", k400},
    {1, "GET / HTTP/1.0\r\nHost: abc\xa0\r\n\r\n", k200},
    {1, "GET / HTTP/1.0\r\nHost: abc\\foo\r\n\r\n", k400},
    {1, "GET / HTTP/1.1\r\nHost: a:65536\r\n\r\n", k400},
    {0, "GET / HTTP/1.1\r\nHost: localhost:\r\n\r\n", k400},
    {0, "GET http://017700000001/ HTTP/1.0\r\n\r\n", k400},
    {1, "GET http://017700000001/ HTTP/1.0\r\n\r\n", k200},
    {0, "GET http://foo@localhost:80/ HTTP/1.0\r\n\r\n", k400},
    {1, "GET http://foo@localhost:80/ HTTP/1.0\r\n\r\n", k200},
    {1, "GET http://localhost:80x/ HTTP/1.0\r\n\r\n", k400},
    {0, "GET /#frag HTTP/1.0\r\n\r\n", k400},
    {1, "GET /#frag HTTP/1.0\r\n\r\n", k200},
    {0, "GET http://localhost/ HTTP/1.0\r\nHost: a b\r\n\r\n", k200},  // the URI names the host
    // Methods: RegisteredMethods on the Strict address, LenientMethods on the other.
    {0, "G/T / HTTP/1.0\r\n\r\n", k400},
    {1, "G/T / HTTP/1.0\r\n\r\n", k501},
    {0, "BREW / HTTP/1.0\r\n\r\n", "HTTP/1.1 405 Method Not Allowed"},  // RegisterHttpMethod
    {0, "MERGE / HTTP/1.0\r\n\r\n", "HTTP/1.1 405 Method Not Allowed"},
    // Simple requests: Require1.0 on the Strict address.
    {0, "GET /\r\n", k400},
    {1, "GET /\r\n", "BODY"},
    {1, "POST /\r\n", "BODY"},
    {1, "GET /  \r\n", "BODY"},
    // A head cut short: 400 once the request line is whole, else nothing.
    {0, "GET / HTTP/1.0\r\nHost: localhost:80 x\r\n\r", k400},
    {1, "GET / HTTP/1.0\r\nHost: localhost:80 x\r\n\r", k400},
    {1, "GET /#frag HTTP/1.0\r\n", k400},
    {1, "GET / HTTP/1.0\r\r", ""},
    {0, "GET / HTTP/1.0", ""},
    // The Unsafe address's default server governs its name-based Strict host too.
    {1, "GET  / HTTP/1.0\r\nHost: strict.test\r\nFoo: b\x01" "ar\r\n\r\n", k200},
    {1, "G/T / HTTP/1.0\r\nHost: strict.test\r\n\r\n", k501},
};

class HttpProtocolOptions : public ::testing::Test {
protected:
    HttpProtocolOptions()
        : second_port(free_port()),
          site("HttpProtocolOptions Strict Require1.0 RegisteredMethods\n"
               "RegisterHttpMethod BREW\n"
               "Listen 127.0.0.1:" + std::to_string(second_port) + "\n"
               "<VirtualHost 127.0.0.1:" + std::to_string(second_port) + ">\n"
               "ServerName unsafe.test\nHttpProtocolOptions Unsafe Allow0.9\n</VirtualHost>\n"
               "<VirtualHost 127.0.0.1:" + std::to_string(second_port) + ">\n"
               "ServerName strict.test\nHttpProtocolOptions Strict Require1.0 RegisteredMethods\n</VirtualHost>\n") {
        site.write_doc("index.html", "DOCUMENT index\n");
    }

    // Runs every exchange against `which` and returns the raw responses.
    std::vector<std::string> run(const std::string& which) {
        std::vector<std::string> out;
        BinaryServer server = site.server(which);
        if (!server.start()) {
            ADD_FAILURE() << "failed to start " << which << ": " << server.startup_error;
            return out;
        }
        const int ports[2] = {site.port(), second_port};
        for (const Exchange& e : kExchanges) {
            out.push_back(send_and_shut(ports[e.port_index], e.request));
        }
        out.push_back(send_and_shut(site.port(), "FOO / HTTP/1.1\r\nHost: localhost\r\n\r\n"));
        server.stop();
        return out;
    }

    void check(const std::string& which, const std::vector<std::string>& got) {
        ASSERT_EQ(got.size(), kExchanges.size() + 1) << which;
        for (std::size_t i = 0; i < kExchanges.size(); ++i) {
            EXPECT_EQ(status_line(got[i]), kExchanges[i].status)
                << which << ", " << (kExchanges[i].port_index == 0 ? "Strict" : "Unsafe") << " address: "
                << kExchanges[i].request << "\n" << got[i];
        }
        // RegisteredMethods answers from the request line, before any handler
        // could say which methods it takes.
        const std::vector<Response> refused = parse_responses(got.back());
        ASSERT_EQ(refused.size(), 1u) << which << got.back();
        EXPECT_EQ(refused[0].status_line, k501) << which;
        EXPECT_EQ(refused[0].header("Allow"), "TRACE") << which;
        EXPECT_EQ(refused[0].header("Connection"), "close") << which;
        EXPECT_NE(refused[0].body.find("<p>FOO not supported for current URL.<br />"), std::string::npos)
            << which << refused[0].body;
    }

    int second_port;
    TwinSite site;
};

TEST_F(HttpProtocolOptions, EachAddressReadsRequestsUnderItsDefaultServer) {
    check("sonora", run("sonora"));
    if (apache_available()) {
        check("apache", run("apache"));
    }
}

// A simple request's answer is the body alone, as httpd sends it: Unsafe lets it be
// HEAD, and even then the body comes.
TEST_F(HttpProtocolOptions, SimpleResponsesAreTheBodyAlone) {
    for (const std::string which : {"sonora", "apache"}) {
        if (which == "apache" && !apache_available()) {
            continue;
        }
        BinaryServer server = site.server(which);
        ASSERT_TRUE(server.start()) << server.startup_error;
        EXPECT_EQ(send_and_shut(second_port, "GET /index.html\r\n"), "DOCUMENT index\n") << which;
        EXPECT_EQ(send_and_shut(second_port, "HEAD /index.html\r\n"), "DOCUMENT index\n") << which;
        EXPECT_EQ(send_and_shut(second_port, "GET http://x@localhost/index.html\r\n"), "DOCUMENT index\n") << which;
        server.stop();
    }
}

}  // namespace
}  // namespace sonora::test
