// SO_REUSEPORT listener buckets and the kernel feature probes, on 127.0.0.1.

#include "os/listeners.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <poll.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace sonora::os {
namespace {

using namespace std::chrono_literals;

int open_fd_count() {
    int n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
        ++n;
    }
    return n;
}

void close_buckets(std::vector<std::vector<ListenSocket>>& buckets) {
    for (auto& b : buckets) {
        close_listeners(b);
    }
    buckets.clear();
}

// A blocking client connection to 127.0.0.1:port; -1 on failure.
int connect_to(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

TEST(ListenerFeatures, SoReuseportOnThisKernel) {
    // Linux has had it since 3.9; the probe must agree.
    EXPECT_TRUE(so_reuseport_supported());
}

TEST(ListenerFeatures, EpollExclusiveMatchesTheKernelVersion) {
    utsname u{};
    ASSERT_EQ(::uname(&u), 0);
    int major = 0;
    int minor = 0;
    ASSERT_EQ(std::sscanf(u.release, "%d.%d", &major, &minor), 2) << u.release;
    bool expected = major > 4 || (major == 4 && minor >= 5);
    EXPECT_EQ(epoll_exclusive_supported(), expected) << u.release;
    EXPECT_EQ(epoll_exclusive_supported(), expected);  // cached, same answer
}

TEST(ListenerFeatures, BucketCountAsHttpd) {
    struct Case {
        int ratio;
        long cpus;
        bool reuseport;
        int buckets;
    } cases[] = {
        {0, 16, true, 1},   // ListenCoresBucketsRatio 0: off (the default)
        {8, 16, true, 2},   // the documented recommendation
        {8, 15, true, 1},   // fewer than twice the ratio: off
        {1, 2, true, 2},    // observed: Apache on 2 CPUs, ratio 1, "Using SO_REUSEPORT: yes (2)"
        {2, 2, true, 1},
        {3, 10, true, 3},
        {1, 8, false, 1},   // no SO_REUSEPORT: one bucket
        {-1, 8, true, 1},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(listener_bucket_count(c.ratio, c.cpus, c.reuseport), c.buckets)
            << c.ratio << " " << c.cpus << " " << c.reuseport;
    }
}

TEST(ListenerBuckets, EveryBucketIsAQueueOfItsOwnOnTheSamePort) {
    std::vector<std::vector<ListenSocket>> buckets;
    auto err = open_listener_buckets({{"127.0.0.1", 0}}, 128, 2, buckets);
    ASSERT_FALSE(err) << *err;
    ASSERT_EQ(buckets.size(), 2u);
    ASSERT_EQ(buckets[0].size(), 1u);
    ASSERT_EQ(buckets[1].size(), 1u);
    const int port = buckets[0][0].port;
    ASSERT_GT(port, 0);
    EXPECT_EQ(buckets[1][0].port, port);
    EXPECT_EQ(buckets[0][0].name, "127.0.0.1:" + std::to_string(port));
    EXPECT_EQ(buckets[1][0].name, buckets[0][0].name);
    EXPECT_NE(buckets[0][0].fd, buckets[1][0].fd);
    for (const auto& b : buckets) {
        int on = 0;
        socklen_t len = sizeof on;
        ASSERT_EQ(::getsockopt(b[0].fd, SOL_SOCKET, SO_REUSEPORT, &on, &len), 0);
        EXPECT_EQ(on, 1);
    }

    // The kernel picks a queue by a hash of the connection's 4-tuple, so
    // connections from different source ports land in both. Bounded: at most
    // 200 connections and 10 seconds (two queues: all of 200 in one would
    // have odds of 2^-199).
    int accepted[2] = {0, 0};
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    for (int i = 0; i < 200 && (accepted[0] < 4 || accepted[1] < 4); ++i) {
        ASSERT_LT(std::chrono::steady_clock::now(), deadline);
        int c = connect_to(port);
        ASSERT_GE(c, 0);
        pollfd pfd[2] = {{buckets[0][0].fd, POLLIN, 0}, {buckets[1][0].fd, POLLIN, 0}};
        ASSERT_EQ(::poll(pfd, 2, 2000), 1) << "exactly one queue holds the connection";
        for (int b = 0; b < 2; ++b) {
            if (pfd[b].revents & POLLIN) {
                int s = ::accept4(pfd[b].fd, nullptr, nullptr, SOCK_CLOEXEC);
                ASSERT_GE(s, 0);
                ::close(s);
                ++accepted[b];
            }
        }
        ::close(c);
    }
    EXPECT_GT(accepted[0], 0);
    EXPECT_GT(accepted[1], 0);
    close_buckets(buckets);
}

TEST(ListenerBuckets, OneSetPerBucketInSpecOrder) {
    std::vector<std::vector<ListenSocket>> buckets;
    auto err = open_listener_buckets({{"127.0.0.1", 0}, {"127.0.0.1", 0}}, 16, 3, buckets);
    ASSERT_FALSE(err) << *err;
    ASSERT_EQ(buckets.size(), 3u);
    for (const auto& b : buckets) {
        ASSERT_EQ(b.size(), 2u);
        EXPECT_EQ(b[0].port, buckets[0][0].port);
        EXPECT_EQ(b[1].port, buckets[0][1].port);
    }
    EXPECT_NE(buckets[0][0].port, buckets[0][1].port);
    close_buckets(buckets);

    // Fewer than one bucket means one.
    err = open_listener_buckets({{"127.0.0.1", 0}}, 16, 0, buckets);
    ASSERT_FALSE(err) << *err;
    EXPECT_EQ(buckets.size(), 1u);
    close_buckets(buckets);
}

// A socket without SO_REUSEPORT on the port keeps the group out; whatever was
// opened before the failure is closed again.
TEST(ListenerBuckets, AllOrNothing) {
    std::vector<ListenSocket> plain;
    ASSERT_FALSE(open_listeners({{"127.0.0.1", 0}}, 16, plain));
    sockaddr_in bound{};
    socklen_t len = sizeof bound;
    ASSERT_EQ(::getsockname(plain[0].fd, reinterpret_cast<sockaddr*>(&bound), &len), 0);
    const int busy = ntohs(bound.sin_port);

    const int fds_before = open_fd_count();
    std::vector<std::vector<ListenSocket>> buckets;
    auto err = open_listener_buckets({{"127.0.0.1", 0}, {"127.0.0.1", busy}}, 16, 2, buckets);
    ASSERT_TRUE(err);
    EXPECT_EQ(*err, "(98)Address already in use: could not bind to address 127.0.0.1:" + std::to_string(busy));
    EXPECT_TRUE(buckets.empty());
    EXPECT_EQ(open_fd_count(), fds_before);
    close_listeners(plain);
}

}  // namespace
}  // namespace sonora::os
