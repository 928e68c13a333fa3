#include "os/listeners.h"

#include "core/strings.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sonora::os {

namespace {

std::string describe(const ListenSpec& s) {
    if (s.host.empty()) {
        return "*:" + std::to_string(s.port);
    }
    if (s.host.find(':') != std::string::npos) {
        return "[" + s.host + "]:" + std::to_string(s.port);
    }
    return s.host + ":" + std::to_string(s.port);
}

std::string sys_error(int err, const std::string& what) {
    return errno_text(err) + ": " + what;
}

std::optional<std::string> open_one(const ListenSpec& spec, int backlog, ListenSocket& out,
                                    bool reuseport = false) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* res = nullptr;
    std::string port = std::to_string(spec.port);
    int rc = ::getaddrinfo(spec.host.empty() ? nullptr : spec.host.c_str(), port.c_str(), &hints, &res);
    if (rc != 0) {
        return "Could not resolve host name " + spec.host + " -- " + ::gai_strerror(rc);
    }
    // For "Listen 80" prefer the IPv6 wildcard, which also takes IPv4 (dual stack).
    addrinfo* pick = res;
    if (spec.host.empty()) {
        for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
            if (a->ai_family == AF_INET6) {
                pick = a;
                break;
            }
        }
    }
    int fd = ::socket(pick->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 && pick->ai_family == AF_INET6 && spec.host.empty()) {
        for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
            if (a->ai_family == AF_INET) {
                pick = a;
                fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                break;
            }
        }
    }
    if (fd < 0) {
        int err = errno;
        ::freeaddrinfo(res);
        return sys_error(err, "could not create socket for address " + describe(spec));
    }
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    // Every socket of a SO_REUSEPORT group must set it before bind().
    if (reuseport && ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
        int err = errno;
        ::close(fd);
        ::freeaddrinfo(res);
        return sys_error(err, "could not set SO_REUSEPORT on address " + describe(spec));
    }
    if (pick->ai_family == AF_INET6) {
        int v6only = spec.host.empty() ? 0 : 1;
        ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
    }
    if (::bind(fd, pick->ai_addr, pick->ai_addrlen) != 0) {
        int err = errno;
        ::close(fd);
        ::freeaddrinfo(res);
        return sys_error(err, "could not bind to address " + describe(spec));
    }
    if (::listen(fd, backlog) != 0) {
        int err = errno;
        ::close(fd);
        ::freeaddrinfo(res);
        return sys_error(err, "unable to listen for connections on address " + describe(spec));
    }
    std::memcpy(&out.addr, pick->ai_addr, pick->ai_addrlen);
    out.addr_len = pick->ai_addrlen;
    ::freeaddrinfo(res);
    out.fd = fd;
    out.name = describe(spec);
    out.port = spec.port;
    return std::nullopt;
}

}  // namespace

std::optional<std::string> open_listeners(const std::vector<ListenSpec>& specs, int backlog,
                                          std::vector<ListenSocket>& out) {
    for (const ListenSpec& spec : specs) {
        ListenSocket s;
        if (auto err = open_one(spec, backlog, s)) {
            close_listeners(out);
            return err;
        }
        out.push_back(s);
    }
    return std::nullopt;
}

std::optional<std::string> reconcile_listeners(std::vector<ListenSocket>& current,
                                               const std::vector<ListenSpec>& specs, int backlog) {
    std::vector<ListenSocket> next;
    std::vector<bool> kept(current.size(), false);
    std::vector<ListenSocket> opened;
    for (const ListenSpec& spec : specs) {
        const std::string name = describe(spec);
        bool found = false;
        for (std::size_t i = 0; i < current.size(); ++i) {
            if (!kept[i] && current[i].name == name) {
                kept[i] = true;
                next.push_back(current[i]);
                found = true;
                break;
            }
        }
        if (found) {
            continue;
        }
        ListenSocket s;
        if (auto err = open_one(spec, backlog, s)) {
            close_listeners(opened);
            return err;
        }
        opened.push_back(s);
        next.push_back(s);
    }
    for (std::size_t i = 0; i < current.size(); ++i) {
        if (!kept[i]) {
            ::close(current[i].fd);
        }
    }
    current = std::move(next);
    return std::nullopt;
}

void close_listeners(std::vector<ListenSocket>& sockets) {
    for (ListenSocket& s : sockets) {
        if (s.fd >= 0) {
            ::close(s.fd);
        }
    }
    sockets.clear();
}

bool so_reuseport_supported() {
    static const bool supported = [] {
        int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            return false;
        }
        int one = 1;
        bool ok = ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) == 0;
        ::close(fd);
        return ok;
    }();
    return supported;
}

bool epoll_exclusive_supported() {
    // Kernels before 4.5 ignore unknown event bits, so adding with the flag
    // proves nothing; from 4.5 on, EPOLL_CTL_MOD refuses it with EINVAL.
    static const bool supported = [] {
        int ep = ::epoll_create1(EPOLL_CLOEXEC);
        int ev = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        bool ok = false;
        if (ep >= 0 && ev >= 0) {
            epoll_event e{};
            e.events = EPOLLIN | EPOLLEXCLUSIVE;
            if (::epoll_ctl(ep, EPOLL_CTL_ADD, ev, &e) == 0) {
                ok = ::epoll_ctl(ep, EPOLL_CTL_MOD, ev, &e) != 0 && errno == EINVAL;
            }
        }
        if (ev >= 0) {
            ::close(ev);
        }
        if (ep >= 0) {
            ::close(ep);
        }
        return ok;
    }();
    return supported;
}

int listener_bucket_count(int ratio, long online_cpus, bool reuseport) {
    if (!reuseport || ratio <= 0 || online_cpus < 2L * ratio) {
        return 1;
    }
    return static_cast<int>(online_cpus / ratio);
}

std::optional<std::string> open_listener_buckets(const std::vector<ListenSpec>& specs, int backlog,
                                                 int buckets,
                                                 std::vector<std::vector<ListenSocket>>& out) {
    auto close_all = [](std::vector<std::vector<ListenSocket>>& sets) {
        for (auto& set : sets) {
            close_listeners(set);
        }
        sets.clear();
    };
    std::vector<std::vector<ListenSocket>> sets(static_cast<std::size_t>(buckets < 1 ? 1 : buckets));
    for (const ListenSpec& given : specs) {
        ListenSpec spec = given;
        for (std::size_t b = 0; b < sets.size(); ++b) {
            ListenSocket s;
            if (auto err = open_one(spec, backlog, s, true)) {
                close_all(sets);
                return err;
            }
            if (spec.port == 0) {
                // Port 0 takes an ephemeral port: the other buckets join it.
                sockaddr_storage bound{};
                socklen_t len = sizeof bound;
                if (::getsockname(s.fd, reinterpret_cast<sockaddr*>(&bound), &len) != 0) {
                    int err = errno;
                    ::close(s.fd);
                    close_all(sets);
                    return sys_error(err, "could not read the port bound for " + describe(spec));
                }
                spec.port = ntohs(bound.ss_family == AF_INET6
                                      ? reinterpret_cast<const sockaddr_in6&>(bound).sin6_port
                                      : reinterpret_cast<const sockaddr_in&>(bound).sin_port);
                std::memcpy(&s.addr, &bound, len);
                s.addr_len = len;
                s.port = spec.port;
                s.name = describe(spec);
            }
            sets[b].push_back(s);
        }
    }
    for (auto& set : sets) {
        out.push_back(std::move(set));
    }
    return std::nullopt;
}

bool ListenSocket::specific_address() const {
    if (addr.ss_family == AF_INET) {
        return reinterpret_cast<const sockaddr_in&>(addr).sin_addr.s_addr != htonl(INADDR_ANY);
    }
    if (addr.ss_family == AF_INET6) {
        return !IN6_IS_ADDR_UNSPECIFIED(&reinterpret_cast<const sockaddr_in6&>(addr).sin6_addr);
    }
    return false;
}

}  // namespace sonora::os
