#include "logresolve/resolve_log.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cctype>
#include <cstring>

namespace sonora::tools {

bool is_ip_address(std::string_view s) {
    if (s.empty() || s.size() >= INET6_ADDRSTRLEN) {
        return false;
    }
    char buf[INET6_ADDRSTRLEN];
    std::memcpy(buf, s.data(), s.size());
    buf[s.size()] = '\0';
    unsigned char bin[sizeof(in6_addr)];
    return ::inet_pton(AF_INET, buf, bin) == 1 || ::inet_pton(AF_INET6, buf, bin) == 1;
}

Resolvers system_resolvers() {
    Resolvers r;
    r.reverse = [](std::string_view address) -> std::optional<std::string> {
        addrinfo hints{};
        hints.ai_flags = AI_NUMERICHOST;
        addrinfo* res = nullptr;
        if (::getaddrinfo(std::string(address).c_str(), nullptr, &hints, &res) != 0 || res == nullptr) {
            return std::nullopt;
        }
        char host[NI_MAXHOST];
        int rc = ::getnameinfo(res->ai_addr, res->ai_addrlen, host, sizeof host, nullptr, 0, NI_NAMEREQD);
        ::freeaddrinfo(res);
        if (rc != 0) {
            return std::nullopt;
        }
        return std::string(host);
    };
    r.confirms = [](std::string_view name, std::string_view address) {
        addrinfo* res = nullptr;
        if (::getaddrinfo(std::string(name).c_str(), nullptr, nullptr, &res) != 0) {
            return false;
        }
        bool match = false;
        for (addrinfo* a = res; a != nullptr && !match; a = a->ai_next) {
            char text[INET6_ADDRSTRLEN] = {};
            if (a->ai_family == AF_INET) {
                ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr, text, sizeof text);
            } else if (a->ai_family == AF_INET6) {
                ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr, text, sizeof text);
            }
            match = address == text;
        }
        ::freeaddrinfo(res);
        return match;
    };
    return r;
}

void LogResolver::run(std::istream& in, std::ostream& out) {
    std::string text;
    while (std::getline(in, text)) {
        if (!in.eof()) {
            text += '\n';
        }
        line(text, out);
    }
}

void LogResolver::line(std::string_view text, std::ostream& out) {
    if (text.empty()) {
        return;
    }
    ++stats_.entries;
    const auto first = static_cast<unsigned char>(text.front());
    if (!std::isxdigit(first) && first != ':') {
        ++stats_.with_name;
        out << text;
        return;
    }
    // Without a space the whole line (line end included) is the candidate,
    // which is then never an address: such lines are copied as they are.
    const std::size_t space = text.find(' ');
    const std::string key(text.substr(0, space));
    const std::string_view rest = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
    if (auto hit = cache_.find(key); hit != cache_.end()) {
        ++stats_.cache_hits;
        out << hit->second << ' ' << rest;
        return;
    }
    if (!is_ip_address(key)) {
        ++stats_.with_name;
        out << text;
        return;
    }
    ++stats_.resolves;
    ++stats_.cache_size;
    std::optional<std::string> name = resolvers_.reverse(key);
    if (!name) {
        ++stats_.no_reverse;
        cache_.emplace(key, key);
        out << text;
        return;
    }
    if (double_ && !resolvers_.confirms(*name, key)) {
        ++stats_.double_failed;
        cache_.emplace(key, key);
        out << text;
        return;
    }
    out << *name << ' ' << rest;
    cache_.emplace(key, std::move(*name));
}

std::string LogResolver::stats_text() const {
    std::string s = "logresolve Statistics:\n";
    s += "Entries: " + std::to_string(stats_.entries) + "\n";
    s += "    With name   : " + std::to_string(stats_.with_name) + "\n";
    s += "    Resolves    : " + std::to_string(stats_.resolves) + "\n";
    if (stats_.no_reverse != 0) {
        s += "    - No reverse : " + std::to_string(stats_.no_reverse) + "\n";
    }
    if (stats_.double_failed != 0) {
        s += "    - Double lookup failed : " + std::to_string(stats_.double_failed) + "\n";
    }
    s += "Cache hits      : " + std::to_string(stats_.cache_hits) + "\n";
    s += "Cache size      : " + std::to_string(stats_.cache_size) + "\n";
    return s;
}

}  // namespace sonora::tools
