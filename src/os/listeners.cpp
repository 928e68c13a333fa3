#include "os/listeners.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/tcp.h>
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
    return "(" + std::to_string(err) + ")" + std::strerror(err) + ": " + what;
}

std::optional<std::string> open_one(const ListenSpec& spec, int backlog, ListenSocket& out) {
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
