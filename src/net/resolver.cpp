#include "net/resolver.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cctype>
#include <cstring>

namespace sonora::net {

namespace {

constexpr std::size_t kMaxEntries = 4096;

// The numeric form of an address, for comparing what a name resolves to.
std::string numeric(const sockaddr* sa, socklen_t len) {
    char host[NI_MAXHOST];
    if (::getnameinfo(sa, len, host, sizeof host, nullptr, 0, NI_NUMERICHOST) != 0) {
        return {};
    }
    std::string s = host;
    if (s.starts_with("::ffff:") && s.find('.') != std::string::npos) {
        s.erase(0, 7);  // IPv4-mapped: compared as IPv4, as httpd does
    }
    return s;
}

}  // namespace

Resolver::Resolver(event::Loop& loop, std::int64_t name_ttl_ms, std::int64_t failure_ttl_ms)
    : loop_(loop), name_ttl_ms_(name_ttl_ms), failure_ttl_ms_(failure_ttl_ms) {
    event_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    loop_.add(event_fd_, EPOLLIN, this);
}

Resolver::~Resolver() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        jobs_.clear();
    }
    wake_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
    loop_.remove(event_fd_);
    ::close(event_fd_);
}

Resolver::Answer Resolver::lookup(std::string_view address, Mode mode, Done done, void* owner,
                                  std::uint64_t ticket) {
    key_.assign(address);
    key_ += mode == Mode::Double ? "|D" : "|S";
    const std::int64_t now = loop_.now_ms();
    auto it = cache_.find(key_);
    if (it != cache_.end() && it->second.status != Answer::Status::Pending && it->second.expires_ms <= now) {
        cache_.erase(it);
        it = cache_.end();
    }
    if (it != cache_.end()) {
        Entry& e = it->second;
        if (e.status == Answer::Status::Pending) {
            e.waiters.push_back({done, owner, ticket});
            return {};
        }
        return Answer{e.status, e.name};
    }
    if (cache_.size() >= kMaxEntries) {
        // Forget finished entries; the cache refills with what is current.
        std::erase_if(cache_, [](const auto& kv) { return kv.second.status != Answer::Status::Pending; });
    }
    Entry& e = cache_[key_];
    e.waiters.push_back({done, owner, ticket});
    ++resolutions_;
    {
        std::lock_guard lock(mutex_);
        jobs_.push_back(Job{key_, std::string(address), mode});
        if (!thread_.joinable()) {
            thread_ = std::thread([this] { thread_main(); });
        }
    }
    wake_.notify_one();
    return {};
}

void Resolver::cancel(void* owner, std::uint64_t ticket) {
    for (auto& [key, e] : cache_) {
        std::erase_if(e.waiters, [&](const Waiter& w) { return w.owner == owner && w.ticket == ticket; });
    }
}

void Resolver::thread_main() {
    for (;;) {
        Job job;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
            if (stopping_) {
                return;
            }
            job = std::move(jobs_.front());
            jobs_.pop_front();
        }
        Result r = resolve(job);
        {
            std::lock_guard lock(mutex_);
            results_.push_back(std::move(r));
        }
        std::uint64_t one = 1;
        [[maybe_unused]] ssize_t n = ::write(event_fd_, &one, sizeof one);
    }
}

Resolver::Result Resolver::resolve(const Job& job) {
    Result out;
    out.key = job.key;
    addrinfo hints{};
    hints.ai_flags = AI_NUMERICHOST;
    addrinfo* peer = nullptr;
    if (::getaddrinfo(job.address.c_str(), nullptr, &hints, &peer) != 0 || peer == nullptr) {
        return out;
    }
    char host[NI_MAXHOST];
    int rc = ::getnameinfo(peer->ai_addr, peer->ai_addrlen, host, sizeof host, nullptr, 0, NI_NAMEREQD);
    ::freeaddrinfo(peer);
    if (rc != 0) {
        return out;
    }
    std::string name = host;
    for (char& c : name) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (job.mode == Mode::Double) {
        // The name must lead back to the address, or it is not believed.
        addrinfo* forward = nullptr;
        if (::getaddrinfo(name.c_str(), nullptr, nullptr, &forward) != 0) {
            return out;
        }
        bool match = false;
        for (addrinfo* a = forward; a != nullptr && !match; a = a->ai_next) {
            match = numeric(a->ai_addr, a->ai_addrlen) == job.address;
        }
        ::freeaddrinfo(forward);
        if (!match) {
            return out;
        }
    }
    out.found = true;
    out.name = std::move(name);
    return out;
}

void Resolver::on_event(std::uint32_t) {
    std::uint64_t count = 0;
    [[maybe_unused]] ssize_t n = ::read(event_fd_, &count, sizeof count);
    std::vector<Result> done;
    {
        std::lock_guard lock(mutex_);
        done.swap(results_);
    }
    const std::int64_t now = loop_.now_ms();
    for (Result& r : done) {
        auto it = cache_.find(r.key);
        if (it == cache_.end()) {
            continue;
        }
        Entry& e = it->second;
        e.status = r.found ? Answer::Status::Name : Answer::Status::NoName;
        e.name = std::move(r.name);
        e.expires_ms = now + (r.found ? name_ttl_ms_ : failure_ttl_ms_);
        std::vector<Waiter> waiters;
        waiters.swap(e.waiters);
        for (const Waiter& w : waiters) {
            w.done(w.owner, w.ticket);
        }
    }
}

}  // namespace sonora::net
