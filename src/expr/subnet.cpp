#include "expr/subnet.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <string>

namespace sonora::expr {
namespace {

bool parse_uint(std::string_view s, unsigned max, unsigned& out) {
    if (s.empty() || s.size() > 3) {
        return false;
    }
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size() && out <= max;
}

void set_prefix(std::array<std::uint8_t, 16>& mask, unsigned bits) {
    mask.fill(0);
    for (unsigned i = 0; i < 16 && bits > 0; ++i) {
        unsigned take = bits >= 8 ? 8 : bits;
        mask[i] = static_cast<std::uint8_t>(0xff00u >> take);
        bits -= take;
    }
}

// Dotted quad with 1..4 parts; `parts` reports how many were given.
bool parse_v4_parts(std::string_view s, std::array<std::uint8_t, 16>& addr, int& parts) {
    parts = 0;
    while (true) {
        std::size_t dot = s.find('.');
        std::string_view part = s.substr(0, dot);
        unsigned v = 0;
        if (parts == 4 || !parse_uint(part, 255, v)) {
            return false;
        }
        addr[static_cast<std::size_t>(parts++)] = static_cast<std::uint8_t>(v);
        if (dot == std::string_view::npos) {
            return true;
        }
        s.remove_prefix(dot + 1);
    }
}

}  // namespace

std::optional<Subnet> Subnet::parse(std::string_view text) {
    Subnet net;
    std::size_t slash = text.find('/');
    std::string_view ip = text.substr(0, slash);
    std::optional<std::string_view> mask;
    if (slash != std::string_view::npos) {
        mask = text.substr(slash + 1);
    }
    if (ip.find(':') != std::string_view::npos) {
        net.v6 = true;
        std::string tmp(ip);
        if (inet_pton(AF_INET6, tmp.c_str(), net.addr.data()) != 1) {
            return std::nullopt;
        }
        unsigned bits = 128;
        if (mask && !parse_uint(*mask, 128, bits)) {
            return std::nullopt;
        }
        set_prefix(net.mask, bits);
    } else {
        int parts = 0;
        if (!parse_v4_parts(ip, net.addr, parts)) {
            return std::nullopt;
        }
        if (!mask) {
            set_prefix(net.mask, static_cast<unsigned>(8 * parts));
        } else if (parts != 4) {
            return std::nullopt;  // a mask needs a complete address
        } else if (mask->find('.') != std::string_view::npos) {
            int mparts = 0;
            if (!parse_v4_parts(*mask, net.mask, mparts) || mparts != 4) {
                return std::nullopt;
            }
        } else {
            unsigned bits = 0;
            if (!parse_uint(*mask, 32, bits)) {
                return std::nullopt;
            }
            set_prefix(net.mask, bits);
        }
    }
    for (std::size_t i = 0; i < 16; ++i) {
        net.addr[i] &= net.mask[i];
    }
    return net;
}

bool Subnet::contains(std::string_view ip) const {
    std::array<std::uint8_t, 16> a{};
    std::string tmp(ip);
    bool is_v6 = false;
    if (inet_pton(AF_INET, tmp.c_str(), a.data()) == 1) {
        is_v6 = false;
    } else if (inet_pton(AF_INET6, tmp.c_str(), a.data()) == 1) {
        static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (!v6 && std::memcmp(a.data(), kMapped, 12) == 0) {
            std::memmove(a.data(), a.data() + 12, 4);
            std::memset(a.data() + 4, 0, 12);
        } else {
            is_v6 = true;
        }
    } else {
        return false;
    }
    if (is_v6 != v6) {
        return false;
    }
    std::size_t n = v6 ? 16 : 4;
    for (std::size_t i = 0; i < n; ++i) {
        if ((a[i] & mask[i]) != addr[i]) {
            return false;
        }
    }
    return true;
}

}  // namespace sonora::expr
