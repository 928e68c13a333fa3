// How children wait for connections: the worker MPM's threads, the accept
// mutex of prefork and worker with each of httpd's mechanisms, several
// Listen sockets (PR#467's starvation), one listener without serialization,
// and the event MPM that takes no accept mutex.

#include "support/client.h"
#include "support/server.h"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace sonora::test {
namespace {

using namespace std::chrono_literals;

const std::string kPrefork = "LoadModule mpm_prefork_module /usr/lib/apache2/modules/mod_mpm_prefork.so\n";
const std::string kWorker = "LoadModule mpm_worker_module /usr/lib/apache2/modules/mod_mpm_worker.so\n";


long threads_of(int pid) {
    return std::distance(std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task"),
                         std::filesystem::directory_iterator{});
}

int status_of(int port, const std::string& path) {
    auto r = parse_responses(http_exchange(port, get_request(path)));
    return r.empty() ? 0 : r[0].status;
}

// The files in `dir` whose name starts with `prefix`.
std::vector<std::string> files_named(const std::string& dir, const std::string& prefix) {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        const std::string name = e.path().filename().string();
        if (name.starts_with(prefix)) {
            out.push_back(name);
        }
    }
    return out;
}

class AcceptTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (!test_mpm().empty()) {
            GTEST_SKIP() << "chooses its MPM itself";
        }
    }
};

using AcceptWorker = AcceptTest;
using AcceptMutexes = AcceptTest;

// S1: the worker MPM runs ThreadsPerChild workers and one listener thread
// per child, and never more children than MaxRequestWorkers allows.
TEST_F(AcceptWorker, ChildrenRunThreadsPerChildWorkersAndAListener) {
    ServerProcess server(kWorker + "StartServers 2\nThreadsPerChild 4\nMinSpareThreads 4\nMaxSpareThreads 8\n"
                                   "ServerLimit 2\nMaxRequestWorkers 8\n");
    server.write_doc("a.txt", "a\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    ASSERT_TRUE(wait_until([&] { return children_of(server.pid()).size() == 2; }));
    for (int pid : children_of(server.pid())) {
        EXPECT_EQ(threads_of(pid), 5) << "child " << pid;
    }
    EXPECT_EQ(threads_of(server.pid()), 1) << "the parent serves nothing";
    for (int i = 0; i < 20; ++i) {
        EXPECT_EQ(status_of(server.port(), "/a.txt"), 200);
    }
}

// prefork and worker give each connection a process or a thread to its end:
// with MaxRequestWorkers 2 and both holding keep-alive connections, a third
// client waits in the backlog (no child or thread takes it) until one of the
// two connections ends, and no third process is started.
class AcceptCapacity : public ::testing::TestWithParam<const char*> {};

TEST_P(AcceptCapacity, AThirdClientWaitsWhileTwoHoldEveryWorker) {
    if (!test_mpm().empty()) {
        GTEST_SKIP() << "chooses its MPM itself";
    }
    const std::string mpm = GetParam();
    const std::string conf =
        mpm == "prefork" ? kPrefork + "StartServers 2\nMinSpareServers 1\nMaxSpareServers 2\nServerLimit 2\n"
                                      "MaxRequestWorkers 2\n"
                         : kWorker + "StartServers 1\nServerLimit 1\nThreadsPerChild 2\nMaxRequestWorkers 2\n"
                                     "MinSpareThreads 1\nMaxSpareThreads 2\n";
    ServerProcess server(conf);
    server.write_doc("a.txt", "a\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    KeepAliveClient one(server.port());
    KeepAliveClient two(server.port());
    ASSERT_EQ(one.get("/a.txt").status, 200);
    ASSERT_EQ(two.get("/a.txt").status, 200);
    PendingRequest third(server.port(), "/a.txt");
    ASSERT_TRUE(third.connected());
    EXPECT_FALSE(third.answered_within(1500)) << "answered while both workers were busy";
    const std::size_t processes = children_of(server.pid()).size();
    EXPECT_EQ(processes, mpm == "prefork" ? 2u : 1u);
    two.disconnect();
    ASSERT_TRUE(third.answered_within(3000)) << "not answered after a worker became free";
    EXPECT_TRUE(contains(third.received(), " 200 OK")) << third.received();
    EXPECT_TRUE(contains(server.error_log(), "server reached MaxRequestWorkers setting")) << server.error_log();
}

INSTANTIATE_TEST_SUITE_P(PreforkAndWorker, AcceptCapacity, ::testing::Values("prefork", "worker"));

// An event child takes ThreadsPerChild x (AsyncRequestWorkerFactor + 1)
// connections at most (here 2 x 2); a full child stops accepting, the parent
// counts it as having no spare capacity and starts another, up to
// MaxRequestWorkers / ThreadsPerChild children; past that, clients wait.
TEST_F(AcceptWorker, AnEventChildTakesNoMoreConnectionsThanItsCap) {
    ServerProcess server("StartServers 1\nServerLimit 2\nThreadsPerChild 2\nMaxRequestWorkers 4\n"
                         "AsyncRequestWorkerFactor 1\nMinSpareThreads 1\nMaxSpareThreads 4\n"
                         "LogFormat \"%P\" pids\nCustomLog logs/pids pids\n");
    server.write_doc("a.txt", "a\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    std::vector<std::unique_ptr<KeepAliveClient>> held;
    for (int i = 0; i < 4; ++i) {
        held.push_back(std::make_unique<KeepAliveClient>(server.port()));
        ASSERT_EQ(held.back()->get("/a.txt").status, 200);
    }
    ASSERT_EQ(children_of(server.pid()).size(), 1u);
    // The fifth waits for the second child, which the parent starts at once.
    held.push_back(std::make_unique<KeepAliveClient>(server.port(), 4000));
    ASSERT_EQ(held.back()->get("/a.txt").status, 200);
    EXPECT_EQ(children_of(server.pid()).size(), 2u);
    for (int i = 0; i < 3; ++i) {
        held.push_back(std::make_unique<KeepAliveClient>(server.port()));
        ASSERT_EQ(held.back()->get("/a.txt").status, 200);
    }
    // Both children full, no third allowed: the ninth waits in the backlog.
    PendingRequest ninth(server.port(), "/a.txt");
    ASSERT_TRUE(ninth.connected());
    EXPECT_FALSE(ninth.answered_within(1500)) << "a ninth connection was taken";
    EXPECT_EQ(children_of(server.pid()).size(), 2u);
    held.front()->disconnect();
    EXPECT_TRUE(ninth.answered_within(3000)) << "not answered after a connection ended";
}

// Each Mutex mechanism serialises prefork children waiting on two Listen
// sockets, and both sockets are served (no child parks on one of them).
class AcceptMechanism : public ::testing::TestWithParam<const char*> {};

TEST_P(AcceptMechanism, PreforkChildrenServeBothListenersUnderTheMutex) {
    if (!test_mpm().empty()) {
        GTEST_SKIP() << "chooses its MPM itself";
    }
    TempDir locks;
    const int second = free_port();
    const std::string mech = GetParam();
    const bool file_based = mech == "flock" || mech == "fcntl";
    ServerProcess server(kPrefork + "Listen 127.0.0.1:" + std::to_string(second) + "\nStartServers 3\n"
                         "MinSpareServers 1\nMaxSpareServers 5\nMutex " + mech +
                         (file_based ? ":" + locks.str() : "") + " mpm-accept\n");
    server.write_doc("a.txt", "a\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    for (int i = 0; i < 20; ++i) {
        ASSERT_EQ(status_of(i % 3 == 0 ? server.port() : second, "/a.txt"), 200) << mech << " request " << i;
    }
    // Only the second port, many times: no child is stuck on the first.
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 20; ++i) {
        ASSERT_EQ(status_of(second, "/a.txt"), 200);
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
    if (mech == "flock") {
        EXPECT_EQ(files_named(locks.str(), "mpm-accept-0.").size(), 1u) << "the lock file, named as httpd's";
    }
    server.stop();
    if (file_based) {
        EXPECT_TRUE(files_named(locks.str(), "mpm-accept").empty()) << "the lock file outlived the server";
    }
}

INSTANTIATE_TEST_SUITE_P(Mechanisms, AcceptMechanism,
                         ::testing::Values("flock", "fcntl", "sysvsem", "posixsem", "pthread", "default", "none"));

// While idle, exactly one prefork child holds the flock (it waits in poll);
// the others sleep in the lock, so a connection wakes one process.
TEST_F(AcceptMutexes, OneIdleChildHoldsTheLockTheOthersWaitForIt) {
    TempDir locks;
    const int second = free_port();
    ServerProcess server(kPrefork + "Listen 127.0.0.1:" + std::to_string(second) +
                         "\nStartServers 3\nMinSpareServers 1\nMaxSpareServers 5\nMutex flock:" + locks.str() +
                         " mpm-accept\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    ASSERT_TRUE(wait_until([&] { return children_of(server.pid()).size() == 3; }));
    const auto lock_files = files_named(locks.str(), "mpm-accept-0.");
    ASSERT_EQ(lock_files.size(), 1u);
    struct stat st{};
    ASSERT_EQ(::stat((locks.str() + "/" + lock_files[0]).c_str(), &st), 0);
    const std::string inode = ":" + std::to_string(st.st_ino) + " ";
    std::size_t holders = 0;
    std::size_t waiters = 0;
    ASSERT_TRUE(wait_until([&] {
        holders = waiters = 0;
        std::istringstream locks_now(read_file("/proc/locks"));
        for (std::string line; std::getline(locks_now, line);) {
            if (line.find("FLOCK") == std::string::npos || line.find(inode) == std::string::npos) {
                continue;
            }
            (line.find("->") != std::string::npos ? waiters : holders) += 1;
        }
        return holders == 1 && waiters == 2;
    })) << holders << " holders, " << waiters << " waiters";
}

// httpd's SINGLE_LISTEN_UNSERIALIZED_ACCEPT: one listener needs no mutex;
// SingleListenUnserializedAccept Off asks for one anyway.
TEST_F(AcceptMutexes, OneListenerIsNotSerialisedUnlessAsked) {
    TempDir locks;
    const std::string mutex = "Mutex flock:" + locks.str() + " mpm-accept\n";
    {
        ServerProcess server(kPrefork + mutex);
        ASSERT_TRUE(server.start()) << server.startup_error;
        EXPECT_TRUE(files_named(locks.str(), "mpm-accept").empty());
    }
    ServerProcess server(kPrefork + mutex + "SingleListenUnserializedAccept Off\n");
    server.write_doc("a.txt", "a\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    EXPECT_EQ(files_named(locks.str(), "mpm-accept-0.").size(), 1u);
    EXPECT_EQ(status_of(server.port(), "/a.txt"), 200);
}

// httpd 2.2's AcceptMutex and LockFile still choose the mechanism and place.
TEST_F(AcceptMutexes, Httpd22sAcceptMutexAndLockFile) {
    TempDir locks;
    const int second = free_port();
    ServerProcess server(kWorker + "Listen 127.0.0.1:" + std::to_string(second) +
                         "\nAcceptMutex flock\nLockFile " + locks.str() + "/accept.lock\n");
    server.write_doc("a.txt", "a\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    EXPECT_EQ(files_named(locks.str(), "mpm-accept-0.").size(), 1u);
    EXPECT_EQ(status_of(second, "/a.txt"), 200);
}

TEST_F(AcceptMutexes, TheEventMpmRefusesAnAcceptMutexAsHttpdDoes) {
    TempDir root;
    root.write("conf/httpd.conf", "Listen 127.0.0.1:1\nServerName x\nMutex flock mpm-accept\n");
    RunResult r = run_sonora({"-t", "-d", root.str(), "-f", "conf/httpd.conf"});
    EXPECT_EQ(r.status, 1);
    EXPECT_TRUE(contains(r.err, "Mutex type mpm-accept is not valid")) << r.err;
}

}  // namespace
}  // namespace sonora::test
