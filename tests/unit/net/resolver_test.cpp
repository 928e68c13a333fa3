// The HostnameLookups resolver: answers come back through the event loop,
// are cached, shared between concurrent askers, and cancellable.

#include "net/resolver.h"

#include <gtest/gtest.h>

#include <chrono>

namespace sonora::net {
namespace {

struct Calls {
    int count = 0;
    std::uint64_t last_ticket = 0;
};

void note_call(void* owner, std::uint64_t ticket) {
    auto* c = static_cast<Calls*>(owner);
    ++c->count;
    c->last_ticket = ticket;
}

// Turns the loop until `calls` reaches `want` (bounded: 5 s).
void run_until(event::Loop& loop, const Calls& calls, int want) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (calls.count < want && std::chrono::steady_clock::now() < deadline) {
        loop.run_once(50);
    }
}

TEST(ResolverTest, AnswersThroughTheLoopThenFromTheCache) {
    event::Loop loop;
    Resolver resolver(loop);
    Calls calls;
    auto first = resolver.lookup("127.0.0.1", Resolver::Mode::Single, note_call, &calls, 7);
    EXPECT_EQ(first.status, Resolver::Answer::Status::Pending);
    run_until(loop, calls, 1);
    ASSERT_EQ(calls.count, 1);
    EXPECT_EQ(calls.last_ticket, 7u);
    auto second = resolver.lookup("127.0.0.1", Resolver::Mode::Single, note_call, &calls, 8);
    ASSERT_EQ(second.status, Resolver::Answer::Status::Name);
    EXPECT_EQ(second.name, "localhost");  // /etc/hosts
    EXPECT_EQ(calls.count, 1) << "a cache hit calls nobody back";
    EXPECT_EQ(resolver.resolutions(), 1u);
}

TEST(ResolverTest, ConcurrentAskersShareOneResolution) {
    event::Loop loop;
    Resolver resolver(loop);
    Calls a;
    Calls b;
    resolver.lookup("127.0.0.1", Resolver::Mode::Double, note_call, &a, 1);
    resolver.lookup("127.0.0.1", Resolver::Mode::Double, note_call, &b, 2);
    run_until(loop, b, 1);
    EXPECT_EQ(a.count, 1);
    EXPECT_EQ(b.count, 1);
    EXPECT_EQ(resolver.resolutions(), 1u);
    auto answer = resolver.lookup("127.0.0.1", Resolver::Mode::Double, note_call, &a, 1);
    EXPECT_EQ(answer.status, Resolver::Answer::Status::Name);
    EXPECT_EQ(answer.name, "localhost");
}

TEST(ResolverTest, CancelledAskersAreNotCalled) {
    event::Loop loop;
    Resolver resolver(loop);
    Calls gone;
    Calls stays;
    resolver.lookup("127.0.0.1", Resolver::Mode::Single, note_call, &gone, 1);
    resolver.lookup("127.0.0.1", Resolver::Mode::Single, note_call, &stays, 2);
    resolver.cancel(&gone, 1);
    run_until(loop, stays, 1);
    EXPECT_EQ(stays.count, 1);
    EXPECT_EQ(gone.count, 0);
}

TEST(ResolverTest, AnAddressWithoutANameIsCachedAsSuch) {
    event::Loop loop;
    Resolver resolver(loop);
    Calls calls;
    // Not an address at all: resolution fails without asking DNS.
    resolver.lookup("not-an-address", Resolver::Mode::Single, note_call, &calls, 1);
    run_until(loop, calls, 1);
    ASSERT_EQ(calls.count, 1);
    auto answer = resolver.lookup("not-an-address", Resolver::Mode::Single, note_call, &calls, 1);
    EXPECT_EQ(answer.status, Resolver::Answer::Status::NoName);
}

}  // namespace
}  // namespace sonora::net
