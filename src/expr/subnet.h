#pragma once
// IP subnet specifications for -ipmatch and -R, in the forms Apache accepts:
// "10.1.2.3", a partial "10.1" (a /16), "10.1.2.3/8", "10.1.2.3/255.0.0.0",
// "2001:db8::/32", "::1".

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sonora::expr {

struct Subnet {
    bool v6 = false;
    std::array<std::uint8_t, 16> addr{};
    std::array<std::uint8_t, 16> mask{};

    // Parses a subnet; nullopt on anything Apache rejects ("parsing of
    // subnet/netmask failed").
    static std::optional<Subnet> parse(std::string_view text);

    // True when `ip` (textual IPv4/IPv6 address) lies inside the subnet. An
    // IPv4-mapped IPv6 address (::ffff:a.b.c.d) matches IPv4 subnets.
    bool contains(std::string_view ip) const;
};

}  // namespace sonora::expr
