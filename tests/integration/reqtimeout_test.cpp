// mod_reqtimeout on the wire: how long a slow client gets for its request
// headers and body, what it is answered, what the logs say, and that a crowd
// of slowloris connections neither holds up other clients nor takes threads.

#include "support/client.h"
#include "support/server.h"
#include "support/twin.h"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <string>
#include <thread>
#include <vector>

namespace sonora::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::string kLoad = "LoadModule reqtimeout_module /usr/lib/apache2/modules/mod_reqtimeout.so\n";


struct Outcome {
    std::string reply;  // everything the server sent before closing
    double seconds = 0;  // from the first byte sent to the server's close
    bool closed = false;
};

// Sends `pieces` one by one, `gap` apart (stopping early if the server
// closes), then reads until the server closes (at most `wait`).
Outcome slow_send(int port, const std::vector<std::string>& pieces, std::chrono::milliseconds gap,
                  std::chrono::milliseconds wait = 8000ms) {
    Outcome o;
    int fd = connect_to(port);
    if (fd < 0) {
        return o;
    }
    const auto start = Clock::now();
    for (std::size_t i = 0; i < pieces.size(); ++i) {
        if (::send(fd, pieces[i].data(), pieces[i].size(), MSG_NOSIGNAL) < 0) {
            break;
        }
        if (i + 1 < pieces.size()) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(gap.count())) > 0) {
                break;  // the server answered or closed meanwhile
            }
        }
    }
    const auto deadline = Clock::now() + wait;
    char buf[4096];
    while (Clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) {
            continue;
        }
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) {
            o.closed = true;
            break;
        }
        o.reply.append(buf, static_cast<std::size_t>(n));
    }
    o.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    ::close(fd);
    return o;
}

// The request line and status of each access-log line ("%r %>s %b").
std::vector<std::string> log_lines(const std::string& text) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t end = text.find('\n', at);
        out.push_back(text.substr(at, end - at));
        at = end == std::string::npos ? text.size() : end + 1;
    }
    return out;
}

TEST(ReqTimeout, CutShortHeadersAreAnswered408AndAHalfRequestLineOnlyLoggedAsApacheDoes) {
    TwinSite site(kLoad + "LogLevel info\nRequestReadTimeout header=1 body=1\n"
                          "LogFormat \"%r %>s %b\" brief\nCustomLog @LOGS@/access_log brief\n");
    site.write_doc("a.txt", "a\n");
    std::vector<std::string> which{"sonora"};
    if (apache_available()) {
        which.push_back("apache");
    }
    std::vector<std::vector<std::string>> logs;
    for (const std::string& w : which) {
        BinaryServer server = site.server(w);
        ASSERT_TRUE(server.start()) << w << ": " << server.startup_error;
        Outcome headers = slow_send(site.port(), {"GET /a.txt HTTP/1.1\r\nHost: localhost\r\n"}, 0ms);
        EXPECT_TRUE(headers.closed) << w;
        EXPECT_TRUE(headers.reply.starts_with("HTTP/1.1 408 Request Timeout\r\n")) << w << ": " << headers.reply;
        EXPECT_GT(headers.seconds, 0.8) << w;
        EXPECT_LT(headers.seconds, 2.5) << w;
        Outcome line = slow_send(site.port(), {"GET /a.t"}, 0ms);
        EXPECT_TRUE(line.closed) << w;
        EXPECT_EQ(line.reply, "") << w;
        EXPECT_LT(line.seconds, 2.5) << w;
        server.stop();
        logs.push_back(log_lines(site.read_log(w, "access_log")));
        const std::string errors = site.read_log(w, "error_log");
        const std::regex logged(R"(\[reqtimeout:info\] \[pid \d+:tid \d+\] \[client 127\.0\.0\.1:\d+\] )"
                                R"((SN|AH)01382: Request header read timeout)");
        EXPECT_TRUE(std::regex_search(errors, logged)) << w << ":\n" << errors;
    }
    EXPECT_EQ(logs[0], (std::vector<std::string>{"GET /a.txt HTTP/1.1 408 261", "- 408 -"}));
    if (logs.size() == 2) {
        EXPECT_EQ(logs[0], logs[1]) << "Sonora and Apache log the same lines";
    }
}

TEST(ReqTimeout, AKeepAliveWaitIsNotCountedAgainstTheNextRequest) {
    ServerProcess server(kLoad + "RequestReadTimeout header=1\nKeepAliveTimeout 5\n");
    server.write_doc("a.txt", "a\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    KeepAliveClient c(server.port());
    ASSERT_EQ(c.get("/a.txt").status, 200);
    std::this_thread::sleep_for(1500ms);
    auto r = c.get("/a.txt");
    EXPECT_EQ(r.status, 200) << r.error;
    EXPECT_EQ(c.connections_made(), 1);
}

// header=1-3,MinRate=100: 20 bytes every 200 ms is 100 B/s, enough to keep
// going past the first second, but not past the third.
TEST(ReqTimeout, MinRateExtendsTheHeaderTimeUpToItsMaximum) {
    ServerProcess server(kLoad + "RequestReadTimeout header=1-3,MinRate=100\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    std::vector<std::string> pieces{"GET /a.txt HTTP/1.1\r\n"};
    for (int i = 0; i < 40; ++i) {
        pieces.push_back("X-Slow-Header-" + std::to_string(10 + i) + ": 1\r\n");  // 20 bytes
    }
    Outcome o = slow_send(server.port(), pieces, 200ms);
    EXPECT_TRUE(o.reply.starts_with("HTTP/1.1 408 ")) << o.reply;
    EXPECT_GT(o.seconds, 2.5) << "MinRate did not extend the first second";
    EXPECT_LT(o.seconds, 3.8) << "the maximum did not hold";
    // Without MinRate the same client is cut after the first second.
    server.rewrite_config(kLoad + "RequestReadTimeout header=1\n");
    ::kill(server.pid(), SIGHUP);
    std::this_thread::sleep_for(500ms);
    Outcome fixed = slow_send(server.port(), pieces, 200ms);
    EXPECT_TRUE(fixed.reply.starts_with("HTTP/1.1 408 ")) << fixed.reply;
    EXPECT_LT(fixed.seconds, 1.8);
}

TEST(ReqTimeout, WithoutTheModuleOnlyTimeoutLimitsAHeader) {
    ServerProcess server("Timeout 3\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    Outcome o = slow_send(server.port(), {"GET /a.txt HTTP/1.1\r\n", "Host: x\r\n"}, 2000ms);
    EXPECT_TRUE(o.reply.starts_with("HTTP/1.1 408 ")) << o.reply;
    EXPECT_GT(o.seconds, 4.0) << "each read gets Timeout afresh";
}

TEST(ReqTimeout, AStalledBodyEndsTheConnectionAndIsLogged) {
    ServerProcess server(kLoad + "LogLevel info\nRequestReadTimeout header=5 body=1\n");
    server.write_doc("a.txt", "a\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    Outcome o = slow_send(server.port(), {"POST /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc"}, 0ms);
    EXPECT_TRUE(o.closed);
    EXPECT_GT(o.seconds, 0.8);
    EXPECT_LT(o.seconds, 2.5);
    EXPECT_TRUE(contains(server.error_log(), "SN01382: Request body read timeout")) << server.error_log();
}

// 200 clients each sending one header byte a second: other clients are
// served at once meanwhile, the slow ones are cut at the header limit, and
// the one serving process has no thread for any of them.
TEST(ReqTimeout, SlowlorisNeitherHoldsUpOthersNorTakesThreads) {
    if (!test_mpm().empty()) {
        GTEST_SKIP() << "event only: prefork and worker give each connection a process or thread, as httpd's";
    }
    // One child, sized (AsyncRequestWorkerFactor) to hold all 200 connections.
    ServerProcess server(kLoad + "RequestReadTimeout header=3\nStartServers 1\nMinSpareThreads 1\n"
                                 "MaxSpareThreads 100\nAsyncRequestWorkerFactor 10\n");
    server.write_doc("a.txt", "a\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    std::vector<int> children;
    for (int i = 0; i < 100 && children.size() != 1; ++i) {
        std::this_thread::sleep_for(20ms);
        children = children_of(server.pid());
    }
    ASSERT_EQ(children.size(), 1u);
    std::vector<int> slow;
    for (int i = 0; i < 200; ++i) {
        int fd = connect_to(server.port());
        ASSERT_GE(fd, 0);
        ASSERT_EQ(::send(fd, "G", 1, MSG_NOSIGNAL), 1);
        slow.push_back(fd);
    }
    const auto start = Clock::now();
    double worst = 0;
    int served = 0;
    while (Clock::now() - start < 2000ms) {
        for (int fd : slow) {
            ::send(fd, "E", 1, MSG_NOSIGNAL);  // one more byte each: still no request line
        }
        const auto t0 = Clock::now();
        auto r = parse_responses(http_exchange(server.port(), get_request("/a.txt")));
        worst = std::max(worst, std::chrono::duration<double>(Clock::now() - t0).count());
        served += !r.empty() && r[0].status == 200 ? 1 : 0;
        std::this_thread::sleep_for(100ms);
    }
    EXPECT_GE(served, 10);
    EXPECT_LT(worst, 0.5) << "a normal request waited behind the slow ones";
    const auto threads = std::distance(std::filesystem::directory_iterator("/proc/" + std::to_string(children[0]) +
                                                                           "/task"),
                                       std::filesystem::directory_iterator{});
    EXPECT_EQ(threads, 1) << "the child spends no thread on slow connections";
    // By 3 s after they began, every slow connection has been closed.
    std::this_thread::sleep_for(std::chrono::milliseconds(3500) - (Clock::now() - start));
    int closed = 0;
    for (int fd : slow) {
        pollfd p{fd, POLLIN, 0};
        char b[16];
        if (::poll(&p, 1, 500) > 0 && ::recv(fd, b, sizeof b, 0) == 0) {
            ++closed;
        }
        ::close(fd);
    }
    EXPECT_EQ(closed, 200);
}

}  // namespace
}  // namespace sonora::test
