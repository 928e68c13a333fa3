#pragma once
// Reverse DNS for HostnameLookups, off the event loop.
//
// httpd resolves a client's name with a blocking getnameinfo() in the thread
// serving the request; in an event loop that would stall every other
// connection for as long as a DNS server takes to answer. Here one resolver
// thread makes the getnameinfo() (and, for Double, the getaddrinfo() that
// must lead back to the address) calls — the libc resolver, so /etc/hosts and
// nsswitch.conf apply as for httpd — and hands results back to the loop
// through an eventfd. Names are lowercased, as httpd does.
//
// Results, names and failures alike, are cached (names 60 s, failures 30 s,
// at most 4096 addresses), and concurrent lookups of one address share one
// resolution. Lookups happen only when HostnameLookups is On or Double for a
// request; nothing here runs, and no thread exists, otherwise.

#include "event/loop.h"

#include <sys/socket.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
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
    // Runs on the loop thread when a lookup the caller waited for has ended;
    // the caller then calls lookup() again and gets the cached answer.
    using Done = void (*)(void* owner, std::uint64_t ticket);

    explicit Resolver(event::Loop& loop, std::int64_t name_ttl_ms = 60'000, std::int64_t failure_ttl_ms = 30'000);
    ~Resolver();
    Resolver(const Resolver&) = delete;
    Resolver& operator=(const Resolver&) = delete;

    // `address`: the peer as text (no port), as the connection prints it.
    Answer lookup(std::string_view address, Mode mode, Done done, void* owner, std::uint64_t ticket);
    // The owner went away: its pending callbacks must not run.
    void cancel(void* owner, std::uint64_t ticket);
    void on_event(std::uint32_t events) override;

    // For tests: resolutions started (cache misses that reached the thread).
    std::uint64_t resolutions() const { return resolutions_; }

private:
    struct Waiter {
        Done done;
        void* owner;
        std::uint64_t ticket;
    };
    struct Entry {
        Answer::Status status = Answer::Status::Pending;
        std::string name;
        std::int64_t expires_ms = 0;
        std::vector<Waiter> waiters;
    };
    struct Job {
        std::string key;
        std::string address;
        Mode mode;
    };
    struct Result {
        std::string key;
        bool found = false;
        std::string name;
    };

    void thread_main();
    static Result resolve(const Job& job);

    event::Loop& loop_;
    std::int64_t name_ttl_ms_;
    std::int64_t failure_ttl_ms_;
    int event_fd_ = -1;
    std::unordered_map<std::string, Entry> cache_;
    std::string key_;  // reused for lookups
    std::uint64_t resolutions_ = 0;

    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Job> jobs_;
    std::vector<Result> results_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace sonora::net
