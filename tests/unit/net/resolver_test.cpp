// The resolver, driven by a real event loop: names come from /etc/hosts
// (127.0.0.1 localhost) through the libc resolver, answers come back through
// the loop, are cached, shared and cancellable, and a slow lookup never holds
// the loop up. Test-only name and address functions stand in for
// getnameinfo() and getaddrinfo() where a test needs them slow, counted or
// lying. Reverse lookups (lookup()) first, then forward ones
// (lookup_addresses()).

#include "net/resolver.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#define SONORA_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SONORA_TEST_ASAN 1
#endif
#endif

#ifdef SONORA_TEST_ASAN
extern "C" int __sanitizer_install_malloc_and_free_hooks(void (*)(const volatile void*, std::size_t),
                                                         void (*)(const volatile void*));
#endif

namespace sonora::net {
namespace {

using Status = Resolver::Answer::Status;
using Clock = std::chrono::steady_clock;

sockaddr_storage addr(const char* text) {
    sockaddr_storage ss{};
    if (::inet_pton(AF_INET, text, &reinterpret_cast<sockaddr_in&>(ss).sin_addr) == 1) {
        ss.ss_family = AF_INET;
        reinterpret_cast<sockaddr_in&>(ss).sin_port = htons(40000);
    } else if (::inet_pton(AF_INET6, text, &reinterpret_cast<sockaddr_in6&>(ss).sin6_addr) == 1) {
        ss.ss_family = AF_INET6;
        reinterpret_cast<sockaddr_in6&>(ss).sin6_port = htons(40000);
    } else {
        ADD_FAILURE() << "bad test address " << text;
    }
    return ss;
}

// ---- name functions for the threads (plain functions: state is global) ----

std::atomic<int> g_calls{0};
std::atomic<int> g_inside{0};
std::atomic<int> g_max_inside{0};
std::atomic<int> g_last_family{0};
std::mutex g_gate_mutex;
std::condition_variable g_gate_cv;
bool g_gate_open = true;

void reset_name_state(bool gate_open) {
    g_calls = 0;
    g_inside = 0;
    g_max_inside = 0;
    g_last_family = 0;
    std::lock_guard lock(g_gate_mutex);
    g_gate_open = gate_open;
}

void open_gate() {
    {
        std::lock_guard lock(g_gate_mutex);
        g_gate_open = true;
    }
    g_gate_cv.notify_all();
}

void enter() {
    ++g_calls;
    int now = ++g_inside;
    int seen = g_max_inside.load();
    while (now > seen && !g_max_inside.compare_exchange_weak(seen, now)) {
    }
}

// getnameinfo, counted, after the gate opens (at most 3 s).
int gated_name(const sockaddr* sa, socklen_t len, char* host, socklen_t host_len) {
    enter();
    g_last_family = sa->sa_family;
    {
        std::unique_lock lock(g_gate_mutex);
        g_gate_cv.wait_for(lock, std::chrono::seconds(3), [] { return g_gate_open; });
    }
    int rc = ::getnameinfo(sa, len, host, host_len, nullptr, 0, NI_NAMEREQD);
    --g_inside;
    return rc;
}

// Every address is called "LocalHost": a name that leads back to 127.0.0.1 only.
int localhost_name(const sockaddr*, socklen_t, char* host, socklen_t host_len) {
    enter();
    std::snprintf(host, host_len, "%s", "LocalHost");
    --g_inside;
    return 0;
}

request::IpAddress ip(const char* text) {
    auto a = request::parse_ip_address(text);
    if (!a) {
        ADD_FAILURE() << "bad test address " << text;
        return {};
    }
    return *a;
}

// getaddrinfo stand-in: "two.example" has an IPv4 and an IPv6 address,
// "back.example" is 192.0.2.1; anything else does not resolve. Counted,
// and gated like gated_name.
int fake_addresses(const char* name, std::vector<request::IpAddress>& out) {
    enter();
    {
        std::unique_lock lock(g_gate_mutex);
        g_gate_cv.wait_for(lock, std::chrono::seconds(3), [] { return g_gate_open; });
    }
    int rc = 0;
    if (std::strcmp(name, "two.example") == 0) {
        out.push_back(ip("192.0.2.10"));
        out.push_back(ip("2001:db8::10"));
    } else if (std::strcmp(name, "back.example") == 0) {
        out.push_back(ip("192.0.2.1"));
    } else {
        rc = EAI_NONAME;
    }
    --g_inside;
    return rc;
}

// Every address is called "back.example".
int back_name(const sockaddr*, socklen_t, char* host, socklen_t host_len) {
    std::snprintf(host, host_len, "%s", "Back.Example");
    return 0;
}

// ---- the loop side ----

struct Calls {
    int count = 0;
    std::uint64_t last_ticket = 0;
};

void note_call(void* owner, std::uint64_t ticket) {
    auto* c = static_cast<Calls*>(owner);
    ++c->count;
    c->last_ticket = ticket;
}

class ResolverTest : public ::testing::Test {
protected:
    void SetUp() override { reset_name_state(true); }
    void TearDown() override { open_gate(); }

    Resolver& make(std::int64_t name_ttl = 60'000, std::int64_t failure_ttl = 30'000,
                   std::size_t max_entries = 4096) {
        resolver_.emplace(loop_, name_ttl, failure_ttl, max_entries);
        return *resolver_;
    }

    // Turns the loop until `done` holds (bounded: 5 s).
    template <typename Pred>
    bool run_until(Pred done) {
        auto deadline = Clock::now() + std::chrono::seconds(5);
        while (!done() && Clock::now() < deadline) {
            loop_.run_once(20);
        }
        return done();
    }

    // One full lookup: Pending, then the callback, then the cached answer.
    Resolver::Answer resolve(Resolver& r, const char* text, Resolver::Mode mode) {
        Calls calls;
        auto first = r.lookup(addr(text), mode, note_call, &calls, 1);
        if (first.status != Status::Pending) {
            return first;
        }
        EXPECT_TRUE(run_until([&] { return calls.count == 1; })) << text;
        auto again = r.lookup(addr(text), mode, note_call, &calls, 1);
        EXPECT_NE(again.status, Status::Pending) << text;
        return again;
    }

    // One full forward lookup, as resolve() does for addresses.
    Resolver::Addresses resolve_name(Resolver& r, const char* name) {
        Calls calls;
        auto first = r.lookup_addresses(name, note_call, &calls, 1);
        if (first.status != Status::Pending) {
            return first;
        }
        EXPECT_TRUE(run_until([&] { return calls.count == 1; })) << name;
        auto again = r.lookup_addresses(name, note_call, &calls, 1);
        EXPECT_NE(again.status, Status::Pending) << name;
        return again;
    }

    event::Loop loop_;
    std::optional<Resolver> resolver_;  // after loop_: goes first
};

std::vector<request::IpAddress> list_of(const Resolver::Addresses& a) { return {a.list.begin(), a.list.end()}; }

TEST_F(ResolverTest, LoopbackIsLocalhostFromEtcHosts) {
    Resolver& r = make();
    Calls calls;
    auto first = r.lookup(addr("127.0.0.1"), Resolver::Mode::Single, note_call, &calls, 7);
    EXPECT_EQ(first.status, Status::Pending);
    EXPECT_EQ(calls.count, 0) << "no callback before the loop turns";
    ASSERT_TRUE(run_until([&] { return calls.count == 1; }));
    EXPECT_EQ(calls.last_ticket, 7u);
    auto second = r.lookup(addr("127.0.0.1"), Resolver::Mode::Single, note_call, &calls, 8);
    ASSERT_EQ(second.status, Status::Name);
    EXPECT_EQ(second.name, "localhost");
    loop_.run_once(50);
    EXPECT_EQ(calls.count, 1) << "a cache hit calls nobody back";
    EXPECT_EQ(r.resolutions(), 1u);
}

TEST_F(ResolverTest, DoubleReverseOfLoopbackLeadsBack) {
    Resolver& r = make();
    auto a = resolve(r, "127.0.0.1", Resolver::Mode::Double);
    ASSERT_EQ(a.status, Status::Name);
    EXPECT_EQ(a.name, "localhost");
}

TEST_F(ResolverTest, SingleAndDoubleAreSeparateEntries) {
    Resolver& r = make();
    resolve(r, "127.0.0.1", Resolver::Mode::Single);
    resolve(r, "127.0.0.1", Resolver::Mode::Double);
    EXPECT_EQ(r.resolutions(), 2u);
    EXPECT_EQ(r.size(), 2u);
}

TEST_F(ResolverTest, AnAddressWithoutANameIsNoNameAndCached) {
    Resolver& r = make();
    r.set_name_function(gated_name);  // counts the real getnameinfo calls
    auto a = resolve(r, "192.0.2.1", Resolver::Mode::Single);  // TEST-NET-1: no PTR anywhere
    EXPECT_EQ(a.status, Status::NoName);
    EXPECT_TRUE(a.name.empty());
    Calls calls;
    auto b = r.lookup(addr("192.0.2.1"), Resolver::Mode::Single, note_call, &calls, 1);
    EXPECT_EQ(b.status, Status::NoName) << "the failure is cached";
    EXPECT_EQ(g_calls, 1);
    EXPECT_EQ(r.resolutions(), 1u);
}

TEST_F(ResolverTest, Ipv6LoopbackAnswersAsGetnameinfoDoes) {
    // /etc/hosts may or may not name ::1: whatever libc says is the answer.
    sockaddr_in6 six{};
    six.sin6_family = AF_INET6;
    six.sin6_addr = in6addr_loopback;
    char host[NI_MAXHOST];
    const bool named = ::getnameinfo(reinterpret_cast<sockaddr*>(&six), sizeof six, host, sizeof host,
                                     nullptr, 0, NI_NAMEREQD) == 0;
    std::string expected = named ? host : "";
    for (char& c : expected) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    Resolver& r = make();
    r.set_name_function(gated_name);
    auto a = resolve(r, "::1", Resolver::Mode::Single);
    EXPECT_EQ(g_last_family, AF_INET6);
    EXPECT_EQ(a.status, named ? Status::Name : Status::NoName);
    EXPECT_EQ(a.name, expected);
    auto d = resolve(r, "::1", Resolver::Mode::Double);
    if (!named) {
        EXPECT_EQ(d.status, Status::NoName);
    }
}

TEST_F(ResolverTest, Ipv4MappedPeersAreLookedUpAsIpv4) {
    Resolver& r = make();
    r.set_name_function(gated_name);
    auto a = resolve(r, "::ffff:127.0.0.1", Resolver::Mode::Double);
    EXPECT_EQ(g_last_family, AF_INET) << "asked about the IPv4 address, as APR does";
    ASSERT_EQ(a.status, Status::Name);
    EXPECT_EQ(a.name, "localhost") << "and localhost's 127.0.0.1 equals the mapped peer";
    Calls calls;
    auto b = r.lookup(addr("127.0.0.1"), Resolver::Mode::Double, note_call, &calls, 1);
    EXPECT_EQ(b.status, Status::Name) << "one cache entry for both spellings";
    EXPECT_EQ(r.resolutions(), 1u);
}

TEST_F(ResolverTest, NamesAreLowercased) {
    Resolver& r = make();
    r.set_name_function(localhost_name);
    auto a = resolve(r, "127.0.0.1", Resolver::Mode::Single);
    ASSERT_EQ(a.status, Status::Name);
    EXPECT_EQ(a.name, "localhost");
}

TEST_F(ResolverTest, DoubleNeedsTheNameToLeadBackToThePeer) {
    Resolver& r = make();
    r.set_name_function(localhost_name);
    auto single = resolve(r, "192.0.2.1", Resolver::Mode::Single);
    ASSERT_EQ(single.status, Status::Name);
    EXPECT_EQ(single.name, "localhost") << "Single believes the reverse answer";
    EXPECT_EQ(resolve(r, "192.0.2.1", Resolver::Mode::Double).status, Status::NoName)
        << "localhost is 127.0.0.1, not 192.0.2.1";
    auto ok = resolve(r, "127.0.0.1", Resolver::Mode::Double);
    ASSERT_EQ(ok.status, Status::Name);
    EXPECT_EQ(ok.name, "localhost");
}

TEST_F(ResolverTest, ConcurrentAskersShareOneResolution) {
    reset_name_state(false);
    Resolver& r = make();
    r.set_name_function(gated_name);
    Calls a;
    Calls b;
    Calls c;
    EXPECT_EQ(r.lookup(addr("127.0.0.1"), Resolver::Mode::Single, note_call, &a, 1).status, Status::Pending);
    EXPECT_EQ(r.lookup(addr("127.0.0.1"), Resolver::Mode::Single, note_call, &b, 2).status, Status::Pending);
    EXPECT_EQ(r.lookup(addr("::ffff:127.0.0.1"), Resolver::Mode::Single, note_call, &c, 3).status,
              Status::Pending);
    open_gate();
    ASSERT_TRUE(run_until([&] { return a.count + b.count + c.count == 3; }));
    EXPECT_EQ(a.last_ticket, 1u);
    EXPECT_EQ(b.last_ticket, 2u);
    EXPECT_EQ(c.last_ticket, 3u);
    EXPECT_EQ(g_calls, 1) << "one getnameinfo for the address";
    EXPECT_EQ(r.resolutions(), 1u);
    EXPECT_EQ(r.threads(), 1u) << "one job never needs a second thread";
}

TEST_F(ResolverTest, CancelledAskersAreNotCalled) {
    reset_name_state(false);
    Resolver& r = make();
    r.set_name_function(gated_name);
    Calls gone;
    Calls stays;
    Calls alone;
    r.lookup(addr("127.0.0.1"), Resolver::Mode::Single, note_call, &gone, 1);
    r.lookup(addr("127.0.0.1"), Resolver::Mode::Single, note_call, &stays, 2);
    r.lookup(addr("192.0.2.1"), Resolver::Mode::Single, note_call, &alone, 3);
    r.cancel(&gone, 1);
    r.cancel(&alone, 3);
    r.cancel(&stays, 99);  // another ticket of the same owner: not this lookup
    open_gate();
    ASSERT_TRUE(run_until([&] { return stays.count == 1; }));
    // A late asker of the other address is called back together with any
    // other asker of it: once it is, `alone` would have been too.
    Calls probe;
    if (r.lookup(addr("192.0.2.1"), Resolver::Mode::Single, note_call, &probe, 4).status == Status::Pending) {
        ASSERT_TRUE(run_until([&] { return probe.count == 1; }));
    }
    EXPECT_EQ(gone.count, 0);
    EXPECT_EQ(alone.count, 0);
    EXPECT_EQ(r.lookup(addr("192.0.2.1"), Resolver::Mode::Single, note_call, &alone, 3).status, Status::NoName)
        << "a lookup nobody waits for still fills the cache";
}

struct CancelOther {
    Resolver* resolver = nullptr;
    Calls* other = nullptr;
    int count = 0;
};

void cancel_other(void* owner, std::uint64_t) {
    auto* c = static_cast<CancelOther*>(owner);
    ++c->count;
    c->resolver->cancel(c->other, 2);
}

TEST_F(ResolverTest, ACallbackCanCancelAnotherAskerOfTheSameAddress) {
    reset_name_state(false);
    Resolver& r = make();
    r.set_name_function(gated_name);
    Calls other;
    CancelOther first{&r, &other, 0};
    r.lookup(addr("127.0.0.1"), Resolver::Mode::Single, cancel_other, &first, 1);
    r.lookup(addr("127.0.0.1"), Resolver::Mode::Single, note_call, &other, 2);
    open_gate();
    ASSERT_TRUE(run_until([&] { return first.count == 1; }));
    loop_.run_once(20);
    EXPECT_EQ(other.count, 0) << "cancelled while the answer was being delivered";
}

struct Ping final : event::Handler {
    int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    int seen = 0;
    void on_event(std::uint32_t) override {
        std::uint64_t v = 0;
        [[maybe_unused]] ssize_t n = ::read(fd, &v, sizeof v);
        ++seen;
    }
    ~Ping() { ::close(fd); }
};

TEST_F(ResolverTest, ASlowLookupDoesNotHoldUpTheLoop) {
    reset_name_state(false);  // the lookup blocks until the test lets it go
    Resolver& r = make();
    r.set_name_function(gated_name);
    Ping ping;
    ASSERT_GE(ping.fd, 0);
    ASSERT_TRUE(loop_.add(ping.fd, EPOLLIN, &ping));
    Calls calls;
    auto start = Clock::now();
    EXPECT_EQ(r.lookup(addr("127.0.0.1"), Resolver::Mode::Single, note_call, &calls, 1).status, Status::Pending);
    EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(500)) << "lookup() returned at once";
    ASSERT_TRUE(run_until([] { return g_inside == 1; })) << "the thread is inside getnameinfo";
    for (int i = 0; i < 3; ++i) {
        std::uint64_t one = 1;
        ASSERT_EQ(::write(ping.fd, &one, sizeof one), static_cast<ssize_t>(sizeof one));
        ASSERT_TRUE(run_until([&] { return ping.seen == i + 1; }));
    }
    EXPECT_EQ(calls.count, 0) << "the lookup is still blocked";
    EXPECT_EQ(g_inside, 1);
    open_gate();
    ASSERT_TRUE(run_until([&] { return calls.count == 1; }));
    EXPECT_EQ(r.lookup(addr("127.0.0.1"), Resolver::Mode::Single, note_call, &calls, 1).name, "localhost");
    loop_.remove(ping.fd);
}

TEST_F(ResolverTest, TwoThreadsAtMost) {
    reset_name_state(false);
    Resolver& r = make();
    r.set_name_function(gated_name);
    Calls calls;
    for (const char* a : {"127.0.0.1", "127.0.0.2", "127.0.0.3"}) {
        EXPECT_EQ(r.lookup(addr(a), Resolver::Mode::Single, note_call, &calls, 1).status, Status::Pending);
    }
    ASSERT_TRUE(run_until([] { return g_inside == 2; })) << "two lookups run side by side";
    EXPECT_EQ(r.threads(), Resolver::kMaxThreads);
    open_gate();
    ASSERT_TRUE(run_until([&] { return calls.count == 3; }));
    EXPECT_EQ(g_max_inside, 2);
    EXPECT_EQ(g_calls, 3);
    EXPECT_EQ(r.threads(), 2u);
}

TEST_F(ResolverTest, AnswersExpire) {
    Resolver& r = make(/*name_ttl=*/500, /*failure_ttl=*/500);
    r.set_name_function(gated_name);
    Calls calls;
    EXPECT_EQ(resolve(r, "127.0.0.1", Resolver::Mode::Single).status, Status::Name);
    EXPECT_EQ(r.lookup(addr("127.0.0.1"), Resolver::Mode::Single, note_call, &calls, 1).status, Status::Name);
    EXPECT_EQ(resolve(r, "192.0.2.1", Resolver::Mode::Single).status, Status::NoName);
    EXPECT_EQ(r.lookup(addr("192.0.2.1"), Resolver::Mode::Single, note_call, &calls, 1).status, Status::NoName);
    ::usleep(600'000);
    loop_.run_once(0);  // the loop's clock moves on its turns
    EXPECT_EQ(r.lookup(addr("127.0.0.1"), Resolver::Mode::Single, note_call, &calls, 1).status, Status::Pending);
    EXPECT_EQ(r.lookup(addr("192.0.2.1"), Resolver::Mode::Single, note_call, &calls, 2).status, Status::Pending);
    ASSERT_TRUE(run_until([&] { return calls.count == 2; }));
    EXPECT_EQ(g_calls, 4);
    EXPECT_EQ(r.resolutions(), 4u);
}

TEST_F(ResolverTest, TheCacheIsBoundedAndDropsTheOldest) {
    Resolver& r = make(60'000, 30'000, /*max_entries=*/2);
    r.set_name_function(localhost_name);
    resolve(r, "192.0.2.1", Resolver::Mode::Single);
    loop_.run_once(20);  // a later clock turn: a later expiry
    resolve(r, "192.0.2.2", Resolver::Mode::Single);
    resolve(r, "192.0.2.3", Resolver::Mode::Single);
    EXPECT_EQ(r.size(), 2u);
    Calls calls;
    EXPECT_EQ(r.lookup(addr("192.0.2.3"), Resolver::Mode::Single, note_call, &calls, 1).status, Status::Name);
    EXPECT_EQ(r.lookup(addr("192.0.2.2"), Resolver::Mode::Single, note_call, &calls, 1).status, Status::Name);
    EXPECT_EQ(r.lookup(addr("192.0.2.1"), Resolver::Mode::Single, note_call, &calls, 1).status, Status::Pending)
        << "the oldest went";
    ASSERT_TRUE(run_until([&] { return calls.count == 1; }));
    EXPECT_EQ(r.resolutions(), 4u);
    EXPECT_LE(r.size(), 2u);
}

TEST_F(ResolverTest, WhatIsNotAnInternetAddressHasNoName) {
    Resolver& r = make();
    Calls calls;
    sockaddr_storage unix_peer{};
    unix_peer.ss_family = AF_UNIX;
    EXPECT_EQ(r.lookup(unix_peer, Resolver::Mode::Single, note_call, &calls, 1).status, Status::NoName);
    EXPECT_EQ(r.lookup("not-an-address", Resolver::Mode::Single, note_call, &calls, 1).status, Status::NoName);
    EXPECT_EQ(r.resolutions(), 0u);
    EXPECT_EQ(r.threads(), 0u) << "no thread until a lookup needs one";
}

TEST_F(ResolverTest, TextAddressesAreTheSameEntries) {
    Resolver& r = make();
    resolve(r, "127.0.0.1", Resolver::Mode::Single);
    Calls calls;
    auto a = r.lookup("127.0.0.1", Resolver::Mode::Single, note_call, &calls, 1);
    ASSERT_EQ(a.status, Status::Name);
    EXPECT_EQ(a.name, "localhost");
    EXPECT_EQ(r.resolutions(), 1u);
}

TEST_F(ResolverTest, DestroyingWithALookupInFlightDropsTheCallback) {
    reset_name_state(false);
    Calls calls;
    {
        Resolver& r = make();
        r.set_name_function(gated_name);
        r.lookup(addr("127.0.0.1"), Resolver::Mode::Single, note_call, &calls, 1);
        ASSERT_TRUE(run_until([] { return g_inside == 1; }));
        open_gate();
        resolver_.reset();  // joins the thread
    }
    loop_.run_once(50);
    EXPECT_EQ(calls.count, 0);
}

// ---- forward lookups (Require forward-dns) ----

TEST_F(ResolverTest, LocalhostResolvesForwardFromEtcHosts) {
    Resolver& r = make();
    Calls calls;
    auto first = r.lookup_addresses("localhost", note_call, &calls, 5);
    EXPECT_EQ(first.status, Status::Pending);
    EXPECT_TRUE(first.list.empty());
    ASSERT_TRUE(run_until([&] { return calls.count == 1; }));
    EXPECT_EQ(calls.last_ticket, 5u);
    auto a = r.lookup_addresses("localhost", note_call, &calls, 6);
    ASSERT_EQ(a.status, Status::Name);
    const auto list = list_of(a);
    EXPECT_NE(std::find(list.begin(), list.end(), ip("127.0.0.1")), list.end());
    loop_.run_once(50);
    EXPECT_EQ(calls.count, 1) << "a cache hit calls nobody back";
    EXPECT_EQ(r.resolutions(), 1u);
}

TEST_F(ResolverTest, ANameThatDoesNotResolveIsNoNameAndCached) {
    Resolver& r = make();
    r.set_address_function(fake_addresses);
    auto a = resolve_name(r, "nowhere.invalid");
    EXPECT_EQ(a.status, Status::NoName);
    EXPECT_TRUE(a.list.empty());
    Calls calls;
    EXPECT_EQ(r.lookup_addresses("nowhere.invalid", note_call, &calls, 1).status, Status::NoName);
    EXPECT_EQ(g_calls, 1);
    EXPECT_EQ(r.resolutions(), 1u);
}

TEST_F(ResolverTest, EveryAddressOfANameInItsOrder) {
    Resolver& r = make();
    r.set_address_function(fake_addresses);
    auto a = resolve_name(r, "two.example");
    ASSERT_EQ(a.status, Status::Name);
    EXPECT_EQ(list_of(a), (std::vector<request::IpAddress>{ip("192.0.2.10"), ip("2001:db8::10")}));
}

TEST_F(ResolverTest, MappedAddressesComeBackAsIpv4AndOnce) {
    // getaddrinfo of a numeric address answers it; the mapped form is IPv4.
    Resolver& r = make();
    auto a = resolve_name(r, "::ffff:127.0.0.1");
    ASSERT_EQ(a.status, Status::Name);
    EXPECT_EQ(list_of(a), (std::vector<request::IpAddress>{ip("127.0.0.1")}));
    EXPECT_EQ(ip("127.0.0.1").family, 4);
    EXPECT_EQ(ip("::ffff:127.0.0.1"), ip("127.0.0.1"));
}

TEST_F(ResolverTest, NamesAreKeysAsGivenAndApartFromAddresses) {
    Resolver& r = make();
    r.set_address_function(fake_addresses);
    resolve_name(r, "two.example");
    resolve(r, "127.0.0.1", Resolver::Mode::Single);
    EXPECT_EQ(r.size(), 2u);
    EXPECT_EQ(resolve_name(r, "TWO.example").status, Status::NoName) << "the fake knows the lowercase name only";
    EXPECT_EQ(r.size(), 3u);
}

TEST_F(ResolverTest, EmptyAndOverlongNamesAnswerAtOnce) {
    Resolver& r = make();
    Calls calls;
    EXPECT_EQ(r.lookup_addresses("", note_call, &calls, 1).status, Status::NoName);
    EXPECT_EQ(r.lookup_addresses(std::string(254, 'a'), note_call, &calls, 1).status, Status::NoName);
    EXPECT_EQ(r.resolutions(), 0u);
    EXPECT_EQ(r.threads(), 0u);
}

TEST_F(ResolverTest, AskersOfANameShareOneResolutionAndEachIsCalledOnce) {
    reset_name_state(false);
    Resolver& r = make();
    r.set_address_function(fake_addresses);
    Calls a;
    Calls b;
    EXPECT_EQ(r.lookup_addresses("two.example", note_call, &a, 1).status, Status::Pending);
    EXPECT_EQ(r.lookup_addresses("two.example", note_call, &b, 2).status, Status::Pending);
    // A request run again while the lookup is still out asks again: still one callback.
    EXPECT_EQ(r.lookup_addresses("two.example", note_call, &a, 1).status, Status::Pending);
    EXPECT_TRUE(r.waiting(&a, 1));
    EXPECT_FALSE(r.waiting(&a, 2));
    open_gate();
    ASSERT_TRUE(run_until([&] { return a.count + b.count == 2; }));
    loop_.run_once(50);
    EXPECT_EQ(a.count, 1);
    EXPECT_EQ(b.count, 1);
    EXPECT_FALSE(r.waiting(&a, 1)) << "called back: nothing more to come";
    EXPECT_EQ(g_calls, 1);
    EXPECT_EQ(r.resolutions(), 1u);
}

TEST_F(ResolverTest, ACancelledAskerOfANameIsNotCalled) {
    reset_name_state(false);
    Resolver& r = make();
    r.set_address_function(fake_addresses);
    Calls gone;
    Calls stays;
    r.lookup_addresses("two.example", note_call, &gone, 1);
    r.lookup_addresses("back.example", note_call, &gone, 1);
    r.lookup_addresses("back.example", note_call, &stays, 2);
    EXPECT_TRUE(r.waiting(&gone, 1));
    r.cancel(&gone, 1);
    EXPECT_FALSE(r.waiting(&gone, 1));
    open_gate();
    ASSERT_TRUE(run_until([&] { return stays.count == 1; }));
    Calls probe;
    if (r.lookup_addresses("two.example", note_call, &probe, 3).status == Status::Pending) {
        ASSERT_TRUE(run_until([&] { return probe.count == 1; }));
    }
    EXPECT_EQ(gone.count, 0);
}

struct AskAgain {
    Resolver* resolver = nullptr;
    int count = 0;
    Resolver::Answer::Status seen = Status::Pending;
};

// What a connection does when called back: runs the request again at once.
void ask_again(void* owner, std::uint64_t ticket) {
    auto* c = static_cast<AskAgain*>(owner);
    ++c->count;
    c->seen = c->resolver->lookup_addresses("two.example", ask_again, c, ticket).status;
}

TEST_F(ResolverTest, ACallbackFindsTheAnswerItWasCalledFor) {
    Resolver& r = make();
    r.set_address_function(fake_addresses);
    AskAgain again{&r, 0, Status::Pending};
    EXPECT_EQ(r.lookup_addresses("two.example", ask_again, &again, 1).status, Status::Pending);
    ASSERT_TRUE(run_until([&] { return again.count == 1; }));
    EXPECT_EQ(again.seen, Status::Name);
    EXPECT_FALSE(r.waiting(&again, 1));
}

TEST_F(ResolverTest, DoubleLooksTheNameUpThroughTheAddressFunction) {
    Resolver& r = make();
    r.set_name_function(back_name);
    r.set_address_function(fake_addresses);
    auto ok = resolve(r, "192.0.2.1", Resolver::Mode::Double);
    ASSERT_EQ(ok.status, Status::Name);
    EXPECT_EQ(ok.name, "back.example");
    EXPECT_EQ(resolve(r, "192.0.2.2", Resolver::Mode::Double).status, Status::NoName)
        << "back.example is 192.0.2.1 only";
}

TEST_F(ResolverTest, ForwardAnswersExpireAsReverseOnesDo) {
    Resolver& r = make(/*name_ttl=*/500, /*failure_ttl=*/500);
    r.set_address_function(fake_addresses);
    EXPECT_EQ(resolve_name(r, "two.example").status, Status::Name);
    EXPECT_EQ(resolve_name(r, "nowhere.invalid").status, Status::NoName);
    Calls calls;
    EXPECT_EQ(r.lookup_addresses("two.example", note_call, &calls, 1).status, Status::Name);
    ::usleep(600'000);
    loop_.run_once(0);
    EXPECT_EQ(r.lookup_addresses("two.example", note_call, &calls, 1).status, Status::Pending);
    EXPECT_EQ(r.lookup_addresses("nowhere.invalid", note_call, &calls, 2).status, Status::Pending);
    ASSERT_TRUE(run_until([&] { return calls.count == 2; }));
    EXPECT_EQ(g_calls, 4);
}

TEST_F(ResolverTest, NamesAndAddressesShareTheBound) {
    Resolver& r = make(60'000, 30'000, /*max_entries=*/2);
    r.set_name_function(localhost_name);
    r.set_address_function(fake_addresses);
    resolve_name(r, "two.example");
    loop_.run_once(20);
    resolve(r, "192.0.2.2", Resolver::Mode::Single);
    loop_.run_once(20);
    resolve_name(r, "back.example");
    EXPECT_EQ(r.size(), 2u);
    Calls calls;
    EXPECT_EQ(r.lookup_addresses("back.example", note_call, &calls, 1).status, Status::Name);
    EXPECT_EQ(r.lookup(addr("192.0.2.2"), Resolver::Mode::Single, note_call, &calls, 1).status, Status::Name);
    EXPECT_EQ(r.lookup_addresses("two.example", note_call, &calls, 1).status, Status::Pending) << "the oldest went";
    ASSERT_TRUE(run_until([&] { return calls.count == 1; }));
    EXPECT_LE(r.size(), 2u);
}

#ifdef SONORA_TEST_ASAN
thread_local bool t_counting = false;
std::atomic<long> g_mallocs{0};
void on_malloc(const volatile void*, std::size_t) {
    if (t_counting) {
        ++g_mallocs;
    }
}
void on_free(const volatile void*) {}
#endif

TEST_F(ResolverTest, ACacheHitDoesNotAllocate) {
#ifdef SONORA_TEST_ASAN
    static const bool installed = __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free) != 0;
    ASSERT_TRUE(installed);
    Resolver& r = make();
    resolve(r, "127.0.0.1", Resolver::Mode::Double);
    resolve(r, "192.0.2.1", Resolver::Mode::Single);
    const sockaddr_storage named = addr("127.0.0.1");
    const sockaddr_storage nameless = addr("192.0.2.1");
    Calls calls;
    g_mallocs = 0;
    t_counting = true;
    auto a = r.lookup(named, Resolver::Mode::Double, note_call, &calls, 1);
    auto b = r.lookup(nameless, Resolver::Mode::Single, note_call, &calls, 1);
    t_counting = false;
    EXPECT_EQ(a.status, Status::Name);
    EXPECT_EQ(b.status, Status::NoName);
    EXPECT_EQ(g_mallocs, 0);
    // Forward answers too, found by the name as given, without a copy.
    r.set_address_function(fake_addresses);
    resolve_name(r, "two.example");
    resolve_name(r, "nowhere.invalid");
    const std::string_view named_host = "two.example";
    g_mallocs = 0;
    t_counting = true;
    auto c = r.lookup_addresses(named_host, note_call, &calls, 1);
    auto d = r.lookup_addresses("nowhere.invalid", note_call, &calls, 1);
    t_counting = false;
    EXPECT_EQ(c.status, Status::Name);
    EXPECT_EQ(c.list.size(), 2u);
    EXPECT_EQ(d.status, Status::NoName);
    EXPECT_EQ(g_mallocs, 0);
    // The counter works: a miss allocates.
    t_counting = true;
    r.lookup(addr("127.0.0.9"), Resolver::Mode::Single, note_call, &calls, 1);
    t_counting = false;
    EXPECT_GT(g_mallocs, 0);
#else
    GTEST_SKIP() << "allocation counting needs the ASan build (SONORA_SANITIZE=ON)";
#endif
}

}  // namespace
}  // namespace sonora::net
