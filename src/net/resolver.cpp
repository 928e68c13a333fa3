#include "net/resolver.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <system_error>

namespace sonora::net {

namespace {

// DNS names are at most 253 characters; anything longer cannot resolve.
constexpr std::size_t kMaxName = 253;

// The address again, port 0, as getnameinfo() wants it.
socklen_t to_sockaddr(const request::IpAddress& addr, std::uint32_t scope, sockaddr_storage& out) {
    out = sockaddr_storage{};
    if (addr.family == 4) {
        auto* a = reinterpret_cast<sockaddr_in*>(&out);
        a->sin_family = AF_INET;
        std::memcpy(&a->sin_addr, addr.bytes.data(), 4);
        return sizeof(sockaddr_in);
    }
    auto* a = reinterpret_cast<sockaddr_in6*>(&out);
    a->sin6_family = AF_INET6;
    std::memcpy(&a->sin6_addr, addr.bytes.data(), 16);
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
    std::memcpy(&lo, k.addr.bytes.data(), 8);
    std::memcpy(&hi, k.addr.bytes.data() + 8, 8);
    std::uint64_t tag = (std::uint64_t{k.scope} << 16) | (std::uint64_t{k.addr.family} << 8) |
                        static_cast<std::uint64_t>(k.mode);
    return static_cast<std::size_t>(mix(lo ^ mix(hi ^ mix(tag))));
}

std::size_t Resolver::NameHash::operator()(std::string_view name) const noexcept {
    return std::hash<std::string_view>{}(name);
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

bool Resolver::ip_address(const sockaddr_storage& sa, request::IpAddress& out, std::uint32_t* scope) {
    out = request::IpAddress{};
    if (scope != nullptr) {
        *scope = 0;
    }
    if (sa.ss_family == AF_INET) {
        const auto& a = reinterpret_cast<const sockaddr_in&>(sa);
        out.family = 4;
        std::memcpy(out.bytes.data(), &a.sin_addr, 4);
        return true;
    }
    if (sa.ss_family == AF_INET6) {
        const auto& a = reinterpret_cast<const sockaddr_in6&>(sa);
        if (IN6_IS_ADDR_V4MAPPED(&a.sin6_addr)) {
            out.family = 4;
            std::memcpy(out.bytes.data(), a.sin6_addr.s6_addr + 12, 4);
        } else {
            out.family = 6;
            std::memcpy(out.bytes.data(), &a.sin6_addr, 16);
            if (scope != nullptr) {
                *scope = a.sin6_scope_id;
            }
        }
        return true;
    }
    return false;
}

bool Resolver::make_key(const sockaddr_storage& peer, Mode mode, Key& out) {
    out = Key{};
    out.mode = mode;
    return ip_address(peer, out.addr, &out.scope);
}

Resolver::Answer Resolver::lookup(std::string_view address, Mode mode, Done done, void* owner,
                                  std::uint64_t ticket) {
    const std::optional<request::IpAddress> ip = request::parse_ip_address(address);
    if (!ip) {
        return Answer{Answer::Status::NoName, {}};
    }
    return lookup(Key{*ip, 0, mode}, Waiter{done, owner, ticket});
}

Resolver::Answer Resolver::lookup(const sockaddr_storage& peer, Mode mode, Done done, void* owner,
                                  std::uint64_t ticket) {
    Key key;
    if (!make_key(peer, mode, key)) {
        return Answer{Answer::Status::NoName, {}};
    }
    return lookup(key, Waiter{done, owner, ticket});
}

Resolver::Answer Resolver::lookup(const Key& key, Waiter w) {
    if (event_fd_ < 0) {
        return Answer{Answer::Status::NoName, {}};
    }
    const std::int64_t now = loop_.now_ms();
    auto it = cache_.find(key);
    if (it != cache_.end() && answers(it->second, w, now)) {
        const Entry& e = it->second;
        return Answer{e.status, e.status == Answer::Status::Name ? std::string_view(e.name) : std::string_view()};
    }
    if (it == cache_.end()) {
        make_room(now);
        it = cache_.try_emplace(key).first;
        it->second.key = key;
        it->second.node.owner = &it->second;
    }
    start(it->second, w, Job{key, {}});
    return {};
}

Resolver::Addresses Resolver::lookup_addresses(std::string_view name, Done done, void* owner,
                                               std::uint64_t ticket) {
    if (event_fd_ < 0 || name.empty() || name.size() > kMaxName) {
        return Addresses{Answer::Status::NoName, {}};
    }
    const std::int64_t now = loop_.now_ms();
    const Waiter w{done, owner, ticket};
    auto it = forward_.find(name);
    if (it != forward_.end() && answers(it->second, w, now)) {
        const Entry& e = it->second;
        return Addresses{e.status, e.status == Answer::Status::Name ? std::span<const request::IpAddress>(e.addresses)
                                                                     : std::span<const request::IpAddress>()};
    }
    if (it == forward_.end()) {
        make_room(now);
        it = forward_.try_emplace(std::string(name)).first;
        it->second.host = &it->first;
        it->second.node.owner = &it->second;
    }
    start(it->second, w, Job{Key{}, std::string(name)});
    return {};
}

bool Resolver::answers(Entry& e, const Waiter& w, std::int64_t now) {
    if (e.status == Answer::Status::Pending) {
        const bool joined = std::any_of(e.waiters.begin(), e.waiters.end(), [&](const Waiter& x) {
            return x.done == w.done && x.owner == w.owner && x.ticket == w.ticket;
        });
        if (!joined) {
            e.waiters.push_back(w);
        }
        return true;
    }
    if (e.node.deadline_ms > now) {
        return true;
    }
    (e.status == Answer::Status::Name ? names_ : failures_).cancel(e.node);
    return false;
}

void Resolver::start(Entry& e, Waiter w, Job job) {
    e.status = Answer::Status::Pending;
    e.name.clear();
    e.addresses.clear();
    e.waiters.clear();
    e.waiters.push_back(w);
    in_flight_.push_back(&e);
    ++resolutions_;
    std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
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
            for (Job& j : jobs_) {
                results_.push_back(Result{std::move(j), false, {}, {}});
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
    while (size() >= max_entries_) {
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
    if (e.host != nullptr) {
        forward_.erase(forward_.find(*e.host));
        return;
    }
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

bool Resolver::waiting(const void* owner, std::uint64_t ticket) const {
    auto same = [&](const Waiter& w) { return w.owner == owner && w.ticket == ticket && w.done != nullptr; };
    for (const Entry* e : in_flight_) {
        if (std::any_of(e->waiters.begin(), e->waiters.end(), same)) {
            return true;
        }
    }
    return std::any_of(firing_.begin(), firing_.end(), same);
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
    Entry* found = nullptr;
    if (!r.job.host.empty()) {
        if (auto it = forward_.find(r.job.host); it != forward_.end()) {
            found = &it->second;
        }
    } else if (auto it = cache_.find(r.job.key); it != cache_.end()) {
        found = &it->second;
    }
    if (found == nullptr || found->status != Answer::Status::Pending) {
        return;
    }
    Entry& e = *found;
    std::erase(in_flight_, &e);
    e.status = r.found ? Answer::Status::Name : Answer::Status::NoName;
    e.name = std::move(r.name);
    e.addresses = std::move(r.addresses);
    (r.found ? names_ : failures_).schedule(e.node, now);
    // The callbacks may look up (even evict this entry) or cancel: run them
    // from firing_, where cancel() still reaches them.
    firing_.swap(e.waiters);
    for (std::size_t i = 0; i < firing_.size(); ++i) {
        const Waiter w = firing_[i];
        if (w.done != nullptr) {
            firing_[i].done = nullptr;  // called: no longer waited for
            w.done(w.owner, w.ticket);
        }
    }
    firing_.clear();
}

int Resolver::system_name(const sockaddr* sa, socklen_t len, char* host, socklen_t host_len) {
    return ::getnameinfo(sa, len, host, host_len, nullptr, 0, NI_NAMEREQD);
}

// Hints as APR's apr_sockaddr_info_get(APR_UNSPEC) gives them.
int Resolver::system_addresses(const char* name, std::vector<request::IpAddress>& out) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG;
    addrinfo* list = nullptr;
    int rc = ::getaddrinfo(name, nullptr, &hints, &list);
    if (rc == EAI_BADFLAGS) {
        hints.ai_flags = 0;
        rc = ::getaddrinfo(name, nullptr, &hints, &list);
    }
    if (rc != 0) {
        return rc;
    }
    for (const addrinfo* a = list; a != nullptr; a = a->ai_next) {
        if (a->ai_addr == nullptr || a->ai_addrlen > sizeof(sockaddr_storage)) {
            continue;
        }
        sockaddr_storage sa{};
        std::memcpy(&sa, a->ai_addr, a->ai_addrlen);
        request::IpAddress ip;
        if (ip_address(sa, ip) && std::find(out.begin(), out.end(), ip) == out.end()) {
            out.push_back(ip);
        }
    }
    ::freeaddrinfo(list);
    return 0;
}

Resolver::Result Resolver::resolve(Job job, NameFn name_fn, AddressFn address_fn) {
    Result out;
    out.job = std::move(job);
    if (!out.job.host.empty()) {
        out.found = address_fn(out.job.host.c_str(), out.addresses) == 0 && !out.addresses.empty();
        if (!out.found) {
            out.addresses.clear();
        }
        return out;
    }
    const Key& key = out.job.key;
    sockaddr_storage peer;
    socklen_t len = to_sockaddr(key.addr, key.scope, peer);
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
        // The name must lead back to the address, or it is not believed.
        std::vector<request::IpAddress> addresses;
        if (address_fn(name.c_str(), addresses) != 0 ||
            std::find(addresses.begin(), addresses.end(), key.addr) == addresses.end()) {
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
        Job job = std::move(jobs_.front());
        jobs_.pop_front();
        const NameFn name_fn = name_fn_;
        const AddressFn address_fn = address_fn_;
        lock.unlock();
        Result r = resolve(std::move(job), name_fn, address_fn);
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
