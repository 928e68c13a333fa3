#pragma once
// DNS off the event loop: reverse lookups for HostnameLookups On|Double, host
// based access rules and UseCanonicalName DNS, and forward lookups of names
// for `Require forward-dns`.
//
// httpd resolves with blocking getnameinfo()/getaddrinfo() calls in the
// thread serving the request; in an event loop that would stall every
// connection for as long as a DNS server takes to answer. Here a small pool
// of resolver threads (one, a second when lookups queue up; started on the
// first miss) makes the libc calls, so /etc/hosts and nsswitch.conf apply
// exactly as for httpd's APR calls, and hands results back to the loop thread
// through an eventfd the loop watches.
//
// What is resolved, as httpd does it:
//   - an address (lookup()): getnameinfo(NI_NAMEREQD) on it; an IPv4-mapped
//     IPv6 address is looked up as the IPv4 address it carries. The name is
//     lowercased.
//   - Double: the name is then looked up forward (as below) and one of its
//     addresses must equal the one asked about (IPv4-mapped equals IPv4);
//     otherwise the answer is NoName, as httpd then treats the client as
//     nameless.
//   - a name (lookup_addresses()): getaddrinfo(any family, AI_ADDRCONFIG as
//     APR asks), the addresses in its order, each once. No addresses is
//     NoName.
//
// Cache: reverse answers keyed by (address, mode), forward answers by the name
// as given; names and addresses are kept 60 s, failures 30 s by default, at
// most 4096 entries of both kinds together (the one closest to expiring goes
// first). httpd itself caches nothing across connections, so every answer
// here is a little stale by design: 60 s bounds how long a changed record
// goes unseen (shorter than common DNS TTLs) while a client opening many
// connections costs one lookup a minute; failures are kept for less so a
// transient DNS error or a newly added record is retried soon, yet a client
// without a PTR record does not send every connection through a resolver
// timeout. Concurrent lookups of one key share one resolution, and one asker
// (owner, ticket) waiting on a key is called back once however often it asks.
//
// Threading: every member function runs on the loop thread. The cache hit path
// (lookup() of a known, unexpired address, lookup_addresses() of a known
// name) does not allocate.

#include "event/loop.h"

#include <sonora/request.h>

#include <sys/socket.h>

#include <array>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace sonora::net {

class Resolver final : public event::Handler {
public:
    enum class Mode : std::uint8_t { Single, Double };
    struct Answer {
        enum class Status : std::uint8_t { Pending, Name, NoName };
        Status status = Status::Pending;
        std::string_view name;  // Status::Name: valid until the next call into the Resolver
    };
    // A name's addresses: Status::Name with at least one, or NoName.
    struct Addresses {
        Answer::Status status = Answer::Status::Pending;
        std::span<const request::IpAddress> list;  // valid until the next call into the Resolver
    };
    // Runs on the loop thread (from on_event) when a lookup the caller waited
    // for has ended; the caller then calls lookup() again and gets the cached
    // answer. It may call lookup() and cancel() itself.
    using Done = void (*)(void* owner, std::uint64_t ticket);
    // getnameinfo(NI_NAMEREQD) as the resolver threads call it; 0 on success
    // with a NUL-terminated name in `host`. Replaceable for tests.
    using NameFn = int (*)(const sockaddr* sa, socklen_t len, char* host, socklen_t host_len);
    // getaddrinfo() of `name` as the resolver threads call it (forward
    // lookups, and the second step of Double): 0 with the addresses appended
    // to `out`, else an EAI_* code. Replaceable for tests.
    using AddressFn = int (*)(const char* name, std::vector<request::IpAddress>& out);

    static constexpr std::size_t kMaxThreads = 2;

    // Registers with `loop` (which must outlive the Resolver). Should the
    // eventfd not be available, every lookup answers NoName, as a failed
    // lookup does in httpd.
    explicit Resolver(event::Loop& loop, std::int64_t name_ttl_ms = 60'000,
                      std::int64_t failure_ttl_ms = 30'000, std::size_t max_entries = 4096);
    // Stops and joins the threads (waiting for a getnameinfo() in progress to
    // return); callbacks still pending are dropped.
    ~Resolver();
    Resolver(const Resolver&) = delete;
    Resolver& operator=(const Resolver&) = delete;

    // The cached answer for `peer` (AF_INET or AF_INET6; the port is ignored),
    // or Pending after starting or joining a lookup: `done(owner, ticket)`
    // then runs once, later, on the loop thread, unless cancelled. Other
    // address families answer NoName at once.
    Answer lookup(const sockaddr_storage& peer, Mode mode, Done done, void* owner,
                  std::uint64_t ticket);
    // The same for a numeric address in text ("192.0.2.1", "::1"); text that
    // is not an address answers NoName at once.
    Answer lookup(std::string_view address, Mode mode, Done done, void* owner,
                  std::uint64_t ticket);
    // The cached addresses of `name` (a host name, or a numeric address as
    // getaddrinfo() takes one), or Pending as lookup() is. An empty name, or
    // one longer than DNS allows, answers NoName at once.
    Addresses lookup_addresses(std::string_view name, Done done, void* owner, std::uint64_t ticket);
    // The owner went away (connection closed): callbacks for (owner, ticket)
    // still pending will not run. Costs a walk over lookups in flight only.
    void cancel(void* owner, std::uint64_t ticket);
    // Whether a callback for (owner, ticket) is still to come.
    bool waiting(const void* owner, std::uint64_t ticket) const;
    // `sa` (AF_INET or AF_INET6) as an IpAddress, IPv4-mapped IPv6 as IPv4;
    // its IPv6 scope in `scope` when asked. False for other families.
    static bool ip_address(const sockaddr_storage& sa, request::IpAddress& out, std::uint32_t* scope = nullptr);
    void on_event(std::uint32_t events) override;

    // ---- for tests ----
    // Resolutions started (cache misses handed to the threads).
    std::uint64_t resolutions() const { return resolutions_; }
    // Threads started so far (at most kMaxThreads).
    std::size_t threads() const { return threads_.size(); }
    std::size_t size() const { return cache_.size() + forward_.size(); }
    // Replaces getnameinfo(); call before the first lookup.
    void set_name_function(NameFn fn) { name_fn_ = fn; }
    // Replaces getaddrinfo(); call before the first lookup.
    void set_address_function(AddressFn fn) { address_fn_ = fn; }

private:
    // An address as httpd compares them (IpAddress: IPv4-mapped IPv6 is
    // IPv4); the IPv6 scope is kept so that link-local peers are asked about
    // on their link.
    struct Key {
        request::IpAddress addr;
        std::uint32_t scope = 0;
        Mode mode = Mode::Single;
        bool operator==(const Key&) const = default;
    };
    struct KeyHash {
        std::size_t operator()(const Key& k) const noexcept;
    };
    // Forward entries are found by a string_view of the name, without a copy.
    struct NameHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view name) const noexcept;
    };
    struct Waiter {
        Done done;
        void* owner;
        std::uint64_t ticket;
    };
    struct Entry {
        Answer::Status status = Answer::Status::Pending;
        std::string name;                            // reverse: the answer
        std::vector<request::IpAddress> addresses;  // forward: the answer
        // Unlinked while resolving (the entry is in in_flight_), then in
        // names_ or failures_, whose deadline is the expiry.
        event::TimerNode node;
        std::vector<Waiter> waiters;
        Key key;                            // reverse: the key in cache_
        const std::string* host = nullptr;  // forward: the key in forward_ (nodes do not move)
    };
    // A lookup for the threads: an address (reverse) or, when `host` is not
    // empty, a name (forward).
    struct Job {
        Key key;
        std::string host;
    };
    struct Result {
        Job job;
        bool found = false;
        std::string name;
        std::vector<request::IpAddress> addresses;
    };

    static bool make_key(const sockaddr_storage& peer, Mode mode, Key& out);
    Answer lookup(const Key& key, Waiter w);
    static Result resolve(Job job, NameFn name_fn, AddressFn address_fn);
    static int system_name(const sockaddr* sa, socklen_t len, char* host, socklen_t host_len);
    static int system_addresses(const char* name, std::vector<request::IpAddress>& out);

    // Whether `e` answers now: a fresh answer, or Pending with `w` joined to
    // its lookup (once). False when its answer has expired: the caller
    // starts a new lookup.
    bool answers(Entry& e, const Waiter& w, std::int64_t now);
    void start(Entry& e, Waiter w, Job job);
    void make_room(std::int64_t now);
    void erase(Entry& e);
    void complete(Result& r, std::int64_t now);
    void spawn_locked();
    void thread_main();

    event::Loop& loop_;
    std::size_t max_entries_;
    int event_fd_ = -1;
    NameFn name_fn_ = &Resolver::system_name;
    AddressFn address_fn_ = &Resolver::system_addresses;
    std::unordered_map<Key, Entry, KeyHash> cache_;
    std::unordered_map<std::string, Entry, NameHash, std::equal_to<>> forward_;
    std::vector<Entry*> in_flight_;  // entries being resolved: never evicted
    event::TimerList names_;
    event::TimerList failures_;
    std::vector<Waiter> firing_;  // callbacks being run by on_event; cancel() clears here too
    std::vector<Result> arrived_;  // reused by on_event
    std::uint64_t resolutions_ = 0;

    // Shared with the threads.
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Job> jobs_;
    std::vector<Result> results_;
    std::size_t idle_ = 0;  // threads waiting for a job
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace sonora::net
