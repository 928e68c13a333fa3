#include "net/resolver.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <system_error>

namespace sonora::net {

namespace {

// The peer's address again, port 0, as getnameinfo() wants it.
socklen_t to_sockaddr(const std::array<std::uint8_t, 16>& addr, std::uint32_t scope, std::uint8_t family,
                      sockaddr_storage& out) {
    out = sockaddr_storage{};
    if (family == AF_INET) {
        auto* a = reinterpret_cast<sockaddr_in*>(&out);
        a->sin_family = AF_INET;
        std::memcpy(&a->sin_addr, addr.data(), 4);
        return sizeof(sockaddr_in);
    }
    auto* a = reinterpret_cast<sockaddr_in6*>(&out);
    a->sin6_family = AF_INET6;
    std::memcpy(&a->sin6_addr, addr.data(), 16);
    a->sin6_scope_id = scope;
    return sizeof(sockaddr_in6);
}

void lowercase(std::string& s) {
    for (char& c : s) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
}

std::uint64_t mix(std::uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

}  // namespace

std::size_t Resolver::KeyHash::operator()(const Key& k) const noexcept {
    std::uint64_t lo = 0;
    std::uint64_t hi = 0;
    std::memcpy(&lo, k.addr.data(), 8);
    std::memcpy(&hi, k.addr.data() + 8, 8);
    std::uint64_t tag = (std::uint64_t{k.scope} << 16) | (std::uint64_t{k.family} << 8) |
                        static_cast<std::uint64_t>(k.mode);
    return static_cast<std::size_t>(mix(lo ^ mix(hi ^ mix(tag))));
}

Resolver::Resolver(event::Loop& loop, std::int64_t name_ttl_ms, std::int64_t failure_ttl_ms,
                   std::size_t max_entries)
    : loop_(loop), max_entries_(std::max<std::size_t>(max_entries, 1)), names_(name_ttl_ms),
      failures_(failure_ttl_ms) {
    cache_.reserve(max_entries_);
    event_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (event_fd_ >= 0 && !loop_.add(event_fd_, EPOLLIN, this)) {
        ::close(event_fd_);
        event_fd_ = -1;
    }
}

Resolver::~Resolver() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        jobs_.clear();
    }
    wake_.notify_all();
    for (std::thread& t : threads_) {
        t.join();
    }
    if (event_fd_ >= 0) {
        loop_.remove(event_fd_);
        ::close(event_fd_);
    }
}

bool Resolver::make_key(const sockaddr_storage& peer, Mode mode, Key& out) {
    out = Key{};
    out.mode = mode;
    if (peer.ss_family == AF_INET) {
        const auto& a = reinterpret_cast<const sockaddr_in&>(peer);
        out.family = AF_INET;
        std::memcpy(out.addr.data(), &a.sin_addr, 4);
        return true;
    }
    if (peer.ss_family == AF_INET6) {
        const auto& a = reinterpret_cast<const sockaddr_in6&>(peer);
        if (IN6_IS_ADDR_V4MAPPED(&a.sin6_addr)) {
            out.family = AF_INET;
            std::memcpy(out.addr.data(), a.sin6_addr.s6_addr + 12, 4);
        } else {
            out.family = AF_INET6;
            std::memcpy(out.addr.data(), &a.sin6_addr, 16);
            out.scope = a.sin6_scope_id;
        }
        return true;
    }
    return false;
}

Resolver::Answer Resolver::lookup(std::string_view address, Mode mode, Done done, void* owner,
                                  std::uint64_t ticket) {
    char text[INET6_ADDRSTRLEN];
    sockaddr_storage peer{};
    if (address.size() >= sizeof text) {
        return Answer{Answer::Status::NoName, {}};
    }
    std::memcpy(text, address.data(), address.size());
    text[address.size()] = '\0';
    if (::inet_pton(AF_INET, text, &reinterpret_cast<sockaddr_in&>(peer).sin_addr) == 1) {
        peer.ss_family = AF_INET;
    } else if (::inet_pton(AF_INET6, text, &reinterpret_cast<sockaddr_in6&>(peer).sin6_addr) == 1) {
        peer.ss_family = AF_INET6;
    } else {
        return Answer{Answer::Status::NoName, {}};
    }
    return lookup(peer, mode, done, owner, ticket);
}

Resolver::Answer Resolver::lookup(const sockaddr_storage& peer, Mode mode, Done done, void* owner,
                                  std::uint64_t ticket) {
    Key key;
    if (event_fd_ < 0 || !make_key(peer, mode, key)) {
        return Answer{Answer::Status::NoName, {}};
    }
    const std::int64_t now = loop_.now_ms();
    auto it = cache_.find(key);
    if (it != cache_.end()) {
        Entry& e = it->second;
        if (e.status == Answer::Status::Pending) {
            e.waiters.push_back(Waiter{done, owner, ticket});
            return {};
        }
        if (e.node.deadline_ms > now) {
            return Answer{e.status, e.name};
        }
        (e.status == Answer::Status::Name ? names_ : failures_).cancel(e.node);
        start(e, Waiter{done, owner, ticket});
        return {};
    }
    make_room(now);
    Entry& e = cache_.try_emplace(key).first->second;
    e.key = key;
    e.node.owner = &e;
    start(e, Waiter{done, owner, ticket});
    return {};
}

void Resolver::start(Entry& e, Waiter w) {
    e.status = Answer::Status::Pending;
    e.name.clear();
    e.waiters.clear();
    e.waiters.push_back(w);
    in_flight_.push_back(&e);
    ++resolutions_;
    std::lock_guard lock(mutex_);
    jobs_.push_back(e.key);
    spawn_locked();
    wake_.notify_one();
}

// A second thread only when a lookup would otherwise wait behind another:
// one slow DNS answer should not hold up every other client's name.
void Resolver::spawn_locked() {
    if (threads_.size() >= kMaxThreads || jobs_.size() <= idle_) {
        return;
    }
    try {
        threads_.emplace_back([this] { thread_main(); });
    } catch (const std::system_error&) {
        if (threads_.empty()) {
            // Nobody will ever take the jobs: they fail, as a lookup can.
            for (const Key& k : jobs_) {
                results_.push_back(Result{k, false, {}});
            }
            jobs_.clear();
            std::uint64_t one = 1;
            [[maybe_unused]] ssize_t n = ::write(event_fd_, &one, sizeof one);
        }
    }
}

// Expired answers go first, then (when still full) the one closest to
// expiring. Lookups in flight are never evicted, so the cache may exceed its
// bound by as many lookups as are in flight.
void Resolver::make_room(std::int64_t now) {
    for (event::TimerList* list : {&names_, &failures_}) {
        while (event::TimerNode* n = list->front()) {
            if (n->deadline_ms > now) {
                break;
            }
            erase(*static_cast<Entry*>(n->owner));
        }
    }
    while (cache_.size() >= max_entries_) {
        event::TimerNode* a = names_.front();
        event::TimerNode* b = failures_.front();
        event::TimerNode* oldest = a == nullptr ? b
                                   : (b == nullptr || a->deadline_ms <= b->deadline_ms ? a : b);
        if (oldest == nullptr) {
            break;
        }
        erase(*static_cast<Entry*>(oldest->owner));
    }
}

void Resolver::erase(Entry& e) {
    (e.status == Answer::Status::Name ? names_ : failures_).cancel(e.node);
    const Key key = e.key;
    cache_.erase(key);
}

void Resolver::cancel(void* owner, std::uint64_t ticket) {
    auto same = [&](const Waiter& w) { return w.owner == owner && w.ticket == ticket; };
    for (Entry* e : in_flight_) {
        std::erase_if(e->waiters, same);
    }
    for (Waiter& w : firing_) {
        if (same(w)) {
            w.done = nullptr;
        }
    }
}

void Resolver::on_event(std::uint32_t) {
    std::uint64_t count = 0;
    [[maybe_unused]] ssize_t n = ::read(event_fd_, &count, sizeof count);
    {
        std::lock_guard lock(mutex_);
        arrived_.swap(results_);
    }
    const std::int64_t now = loop_.now_ms();
    for (Result& r : arrived_) {
        complete(r, now);
    }
    arrived_.clear();
}

void Resolver::complete(Result& r, std::int64_t now) {
    auto it = cache_.find(r.key);
    if (it == cache_.end() || it->second.status != Answer::Status::Pending) {
        return;
    }
    Entry& e = it->second;
    std::erase(in_flight_, &e);
    e.status = r.found ? Answer::Status::Name : Answer::Status::NoName;
    e.name = std::move(r.name);
    (r.found ? names_ : failures_).schedule(e.node, now);
    // The callbacks may look up (even evict this entry) or cancel: run them
    // from firing_, where cancel() still reaches them.
    firing_.swap(e.waiters);
    for (std::size_t i = 0; i < firing_.size(); ++i) {
        const Waiter w = firing_[i];
        if (w.done != nullptr) {
            w.done(w.owner, w.ticket);
        }
    }
    firing_.clear();
}

int Resolver::system_name(const sockaddr* sa, socklen_t len, char* host, socklen_t host_len) {
    return ::getnameinfo(sa, len, host, host_len, nullptr, 0, NI_NAMEREQD);
}

Resolver::Result Resolver::resolve(const Key& key, NameFn name_fn) {
    Result out;
    out.key = key;
    sockaddr_storage peer;
    socklen_t len = to_sockaddr(key.addr, key.scope, key.family, peer);
    char host[NI_MAXHOST];
    if (name_fn(reinterpret_cast<const sockaddr*>(&peer), len, host, sizeof host) != 0) {
        return out;
    }
    host[sizeof host - 1] = '\0';
    std::string name = host;
    lowercase(name);
    if (name.empty()) {
        return out;
    }
    if (key.mode == Mode::Double) {
        // The name must lead back to the peer, or it is not believed. Hints as
        // APR's apr_sockaddr_info_get(APR_UNSPEC) gives them.
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_ADDRCONFIG;
        addrinfo* list = nullptr;
        int rc = ::getaddrinfo(name.c_str(), nullptr, &hints, &list);
        if (rc == EAI_BADFLAGS) {
            hints.ai_flags = 0;
            rc = ::getaddrinfo(name.c_str(), nullptr, &hints, &list);
        }
        if (rc != 0) {
            return out;
        }
        bool match = false;
        for (const addrinfo* a = list; a != nullptr && !match; a = a->ai_next) {
            if (a->ai_addr == nullptr || a->ai_addrlen > sizeof(sockaddr_storage)) {
                continue;
            }
            sockaddr_storage found{};
            std::memcpy(&found, a->ai_addr, a->ai_addrlen);
            Key k;
            match = make_key(found, key.mode, k) && k.family == key.family && k.addr == key.addr;
        }
        ::freeaddrinfo(list);
        if (!match) {
            return out;
        }
    }
    out.found = true;
    out.name = std::move(name);
    return out;
}

void Resolver::thread_main() {
    std::unique_lock lock(mutex_);
    for (;;) {
        ++idle_;
        wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
        --idle_;
        if (stopping_) {
            return;
        }
        const Key key = jobs_.front();
        jobs_.pop_front();
        const NameFn fn = name_fn_;
        lock.unlock();
        Result r = resolve(key, fn);
        lock.lock();
        if (stopping_) {
            return;
        }
        results_.push_back(std::move(r));
        std::uint64_t one = 1;
        [[maybe_unused]] ssize_t n = ::write(event_fd_, &one, sizeof one);
    }
}

}  // namespace sonora::net
