// The process model, observed from outside as an administrator sees it: the
// parent that serves nothing, its children (counted in /proc), the signals
// of apachectl, crashes, recycling, and the spare-server ramp (read off the
// scoreboard).

#include "support/client.h"
#include "support/server.h"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

namespace sonora::test {
namespace {

using namespace std::chrono_literals;

// Every access-log line names the process that served it (%P).
const std::string kPidLog = "LogFormat \"%P %>s %U\" pids\nCustomLog logs/pids pids\n";
// Event/worker: exactly StartServers children while idle.
const std::string kTwoChildren = "StartServers 2\nMinSpareThreads 25\nMaxSpareThreads 75\n";
const std::string kPrefork = "LoadModule mpm_prefork_module /usr/lib/apache2/modules/mod_mpm_prefork.so\n";


std::size_t count_of(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
        ++n;
    }
    return n;
}

std::multiset<int> pids_in_log(const ServerProcess& s) {
    std::istringstream in(read_file(s.root().str() + "/logs/pids"));
    std::multiset<int> pids;
    std::string line;
    while (std::getline(in, line)) {
        pids.insert(std::atoi(line.c_str()));
    }
    return pids;
}

int status_of(int port, const std::string& path) {
    auto r = parse_responses(http_exchange(port, get_request(path)));
    return r.empty() ? 0 : r[0].status;
}

TEST(Mpm, TheParentStartsStartServersChildrenAndServesNothingItself) {
    ServerProcess server(kTwoChildren + kPidLog);
    server.write_doc("a.txt", "a\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    ASSERT_TRUE(wait_until([&] { return children_of(server.pid()).size() == 2; })) << children_of(server.pid()).size();
    for (int i = 0; i < 20; ++i) {
        ASSERT_EQ(status_of(server.port(), "/a.txt"), 200);
    }
    const auto children = children_of(server.pid());
    const auto served = pids_in_log(server);
    ASSERT_TRUE(wait_until([&] { return pids_in_log(server).size() == 20; }));
    for (int pid : pids_in_log(server)) {
        EXPECT_NE(pid, server.pid());
        EXPECT_NE(std::find(children.begin(), children.end(), pid), children.end()) << pid;
    }
    // Idle, the pool stays as configured: no child is added or reaped.
    std::this_thread::sleep_for(1500ms);
    EXPECT_EQ(children_of(server.pid()), children);
}

TEST(Mpm, AChildKilledOutrightIsReplacedAndTheServerGoesOn) {
    ServerProcess server(kTwoChildren);
    server.write_doc("a.txt", "a\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    ASSERT_TRUE(wait_until([&] { return children_of(server.pid()).size() == 2; }));
    const int victim = children_of(server.pid()).front();
    ::kill(victim, SIGKILL);
    ASSERT_TRUE(wait_until([&] {
        auto now = children_of(server.pid());
        return now.size() == 2 && std::find(now.begin(), now.end(), victim) == now.end();
    }, 2000)) << "not replaced within 2 s";
    for (int i = 0; i < 10; ++i) {
        EXPECT_EQ(status_of(server.port(), "/a.txt"), 200);
    }
    EXPECT_TRUE(contains(server.error_log(), "child pid " + std::to_string(victim) + " exit signal Killed (9)"))
        << server.error_log();
}

// Clients keep requesting on keep-alive connections while the server is
// gracefully restarted three times: no request may fail, under any MPM. Old
// children answer each connection's next request with Connection: close,
// so the clients reconnect to the new generation instead of meeting a reset.
class MpmGraceful : public ::testing::TestWithParam<const char*> {};

std::string sized_for_four_clients(const std::string& mpm) {
    if (mpm == "prefork") {
        return kPrefork + "StartServers 6\nMinSpareServers 2\nMaxSpareServers 10\n";
    }
    if (mpm == "worker") {
        return "LoadModule mpm_worker_module /usr/lib/apache2/modules/mod_mpm_worker.so\n"
               "StartServers 2\nThreadsPerChild 4\nMinSpareThreads 4\nMaxSpareThreads 12\n";
    }
    return kTwoChildren;
}

TEST_P(MpmGraceful, GracefulRestartsUnderLoadLoseNoRequest) {
    if (!test_mpm().empty()) {
        GTEST_SKIP() << "chooses its MPM itself";
    }
    ServerProcess server(sized_for_four_clients(GetParam()) + kPidLog);
    server.write_doc("a.txt", std::string(6000, 'x'));
    ASSERT_TRUE(server.start()) << server.startup_error;
    const auto first = children_of(server.pid());
    std::atomic<bool> stop{false};
    std::atomic<int> ok{0};
    std::atomic<int> closed_by_server{0};
    std::vector<std::string> failures;
    std::mutex failures_mutex;
    std::vector<std::thread> clients;
    for (int t = 0; t < 4; ++t) {
        clients.emplace_back([&] {
            KeepAliveClient c(server.port());
            for (int i = 0; i < 20000 && !stop; ++i) {
                auto r = c.get("/a.txt");
                if (r.status != 200) {
                    std::lock_guard<std::mutex> g(failures_mutex);
                    failures.push_back(std::to_string(r.status) + " " + r.error);
                    continue;
                }
                ++ok;
                closed_by_server += r.server_closed ? 1 : 0;
            }
        });
    }
    for (int i = 0; i < 3; ++i) {
        std::this_thread::sleep_for(700ms);
        ::kill(server.pid(), SIGUSR1);
    }
    std::this_thread::sleep_for(700ms);
    stop = true;
    for (auto& t : clients) {
        t.join();
    }
    EXPECT_TRUE(failures.empty()) << failures.size() << " failed, first: " << failures.front();
    EXPECT_GT(ok.load(), 100);
    EXPECT_GE(closed_by_server.load(), 4) << "each old child closes the connections it served";
    const std::string restarted = std::string(GetParam()) == "prefork" ? "Graceful restart requested, doing restart"
                                                                        : "SIGUSR1 received.  Doing graceful restart";
    EXPECT_EQ(count_of(server.error_log(), restarted), 3u) << server.error_log();
    const auto now = children_of(server.pid());
    for (int pid : now) {
        EXPECT_EQ(std::find(first.begin(), first.end(), pid), first.end()) << "a first-generation child is left";
    }
}

INSTANTIATE_TEST_SUITE_P(EachMpm, MpmGraceful, ::testing::Values("event", "worker", "prefork"));

TEST(Mpm, ARestartReadsTheChangedConfiguration) {
    ServerProcess server(kTwoChildren);
    server.write_doc("a.txt", "a\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    EXPECT_EQ(status_of(server.port(), "/a.txt"), 200);
    server.rewrite_config(kTwoChildren + "LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so\n"
                          "Redirect /a.txt http://example.com/b\n");
    ::kill(server.pid(), SIGHUP);
    ASSERT_TRUE(wait_until([&] { return count_of(server.error_log(), "resuming normal operations") == 2; }))
        << server.error_log();
    EXPECT_EQ(status_of(server.port(), "/a.txt"), 302);
    server.rewrite_config(kTwoChildren);
    ::kill(server.pid(), SIGUSR1);
    ASSERT_TRUE(wait_until([&] { return count_of(server.error_log(), "resuming normal operations") == 3; }))
        << server.error_log();
    // A connection made now may still meet an old child finishing up; the
    // new generation answers once the old one is gone.
    EXPECT_TRUE(wait_until([&] { return status_of(server.port(), "/a.txt") == 200; }));
}

TEST(Mpm, ARestartWithABrokenConfigurationKeepsTheRunningOne) {
    ServerProcess server(kTwoChildren);
    server.write_doc("a.txt", "a\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    ASSERT_TRUE(wait_until([&] { return children_of(server.pid()).size() == 2; }));
    const auto before = children_of(server.pid());
    server.rewrite_config(kTwoChildren + "NoSuchDirective here\n");
    ::kill(server.pid(), SIGHUP);
    ASSERT_TRUE(wait_until([&] { return contains(server.error_log(), "continuing with the running configuration"); }))
        << server.error_log();
    EXPECT_TRUE(contains(server.error_log(), "Invalid command 'NoSuchDirective'")) << server.error_log();
    EXPECT_TRUE(server.running());
    EXPECT_EQ(children_of(server.pid()), before) << "the running children are left alone";
    EXPECT_EQ(status_of(server.port(), "/a.txt"), 200);
}

// WINCH: no new connections, but a download in progress finishes whole.
TEST(Mpm, GracefulStopFinishesADownloadInFlight) {
    ServerProcess server(kTwoChildren);
    const std::size_t size = 8u << 20;
    server.write_doc("big.bin", std::string(size, 'b'));
    ASSERT_TRUE(server.start()) << server.startup_error;
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    int small = 4096;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(server.port()));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    const std::string req = get_request("/big.bin");
    ASSERT_EQ(::send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
    char buf[65536];
    std::size_t got = static_cast<std::size_t>(std::max<ssize_t>(0, ::recv(fd, buf, 1024, 0)));
    ASSERT_GT(got, 0u);
    ::kill(server.pid(), SIGWINCH);
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(status_of(server.port(), "/big.bin"), 0) << "a new connection is refused while stopping";
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 5000) <= 0) {
            break;
        }
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) {
            break;
        }
        got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    EXPECT_GT(got, size) << "head and the whole body";
    EXPECT_TRUE(wait_until([&] { return !server.running() || children_of(server.pid()).empty(); }));
    EXPECT_TRUE(contains(server.error_log(), "caught SIGWINCH, shutting down gracefully")) << server.error_log();
}

// A child that hangs (stopped here with SIGSTOP) holds a graceful restart
// up no longer than GracefulShutdownTimeout: the parent kills it then, and
// the new generation serves meanwhile.
TEST(Mpm, AHungChildIsKilledAfterGracefulShutdownTimeout) {
    ServerProcess server(kTwoChildren + "GracefulShutdownTimeout 1\n");
    server.write_doc("a.txt", "a\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    ASSERT_TRUE(wait_until([&] { return children_of(server.pid()).size() == 2; }));
    const int hung = children_of(server.pid()).front();
    ::kill(hung, SIGSTOP);
    ::kill(server.pid(), SIGUSR1);
    std::this_thread::sleep_for(400ms);
    const auto waiting = children_of(server.pid());
    EXPECT_NE(std::find(waiting.begin(), waiting.end(), hung), waiting.end()) << "killed before the timeout";
    EXPECT_TRUE(wait_until([&] { return status_of(server.port(), "/a.txt") == 200; }, 1000))
        << "the new generation does not serve";
    EXPECT_TRUE(wait_until([&] {
        const auto now = children_of(server.pid());
        return std::find(now.begin(), now.end(), hung) == now.end();
    }, 3000)) << "the hung child outlived GracefulShutdownTimeout";
    EXPECT_TRUE(server.running());
}

TEST(Mpm, MaxConnectionsPerChildRecyclesChildrenWithoutAFailedRequest) {
    ServerProcess server("StartServers 1\nMinSpareThreads 1\nMaxSpareThreads 100\nMaxConnectionsPerChild 3\n" +
                         kPidLog);
    server.write_doc("a.txt", "a\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    for (int i = 0; i < 30; ++i) {
        ASSERT_EQ(status_of(server.port(), "/a.txt"), 200) << "request " << i;
    }
    ASSERT_TRUE(wait_until([&] { return pids_in_log(server).size() == 30; }));
    const auto pids = pids_in_log(server);
    const std::set<int> distinct(pids.begin(), pids.end());
    EXPECT_GE(distinct.size(), 10u);
    for (int pid : distinct) {
        EXPECT_LE(pids.count(pid), 3u) << "pid " << pid << " served more than MaxConnectionsPerChild";
    }
}

// Children alive as the scoreboard counts them: one slot per prefork process,
// '.' for a slot with none (read through mod_status, the administrator's view).
std::size_t live_slots(int port) {
    auto r = parse_responses(http_exchange(port, get_request("/server-status?auto")));
    if (r.empty() || r[0].status != 200) {
        return 0;
    }
    const auto at = r[0].body.find("Scoreboard: ");
    if (at == std::string::npos) {
        return 0;
    }
    const auto end = r[0].body.find('\n', at);
    const std::string board = r[0].body.substr(at + 12, end - at - 12);
    return static_cast<std::size_t>(std::count_if(board.begin(), board.end(), [](char c) { return c != '.'; }));
}

// httpd's spare-server ramp, read off the scoreboard: 1, 2, 4, 8, 16 new
// children in successive seconds while idle servers are short of
// MinSpareServers. The status polls are the (bounded) load: each one keeps a
// child busy for a moment, which must not change the ramp.
TEST(Mpm, PreforkSpawnsSparesAtADoublingRate) {
    ServerProcess server(kPrefork + "LoadModule status_module /usr/lib/apache2/modules/mod_status.so\n"
                                    "<Location /server-status>\nSetHandler server-status\n</Location>\n"
                                    "LogLevel info\nStartServers 1\nMinSpareServers 20\nMaxSpareServers 40\n"
                                    "ServerLimit 40\nMaxRequestWorkers 40\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    std::vector<std::size_t> plateaus;
    const auto deadline = std::chrono::steady_clock::now() + 7s;
    while (std::chrono::steady_clock::now() < deadline && (plateaus.empty() || plateaus.back() < 32)) {
        const std::size_t n = live_slots(server.port());
        if (plateaus.empty() || n != plateaus.back()) {
            // A burst is forked in one go; count it once it has settled (two
            // reads 100 ms apart agree: forking 16 children of a sanitized
            // build on a loaded machine can take longer than one pause).
            std::size_t settled = n;
            for (int tries = 0; tries < 10; ++tries) {
                std::this_thread::sleep_for(100ms);
                const std::size_t again = live_slots(server.port());
                if (again == settled) {
                    break;
                }
                settled = again;
            }
            if (plateaus.empty() || settled != plateaus.back()) {
                plateaus.push_back(settled);
            }
        }
        std::this_thread::sleep_for(50ms);
    }
    EXPECT_EQ(plateaus, (std::vector<std::size_t>{1, 2, 4, 8, 16, 32}));
    // The scoreboard and the process table agree.
    EXPECT_EQ(children_of(server.pid()).size(), live_slots(server.port()));
    EXPECT_TRUE(contains(server.error_log(), "server seems busy")) << server.error_log();
}

}  // namespace
}  // namespace sonora::test
