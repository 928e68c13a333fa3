// httpd's mod_authz_host: the ip, host, forward-dns and local providers for
// Require. Only their configuration-time half lives here for now: argument
// checking and parsing; the runtime checks come with the access-control hooks.

#include "modules/aaa/mod_authz_host.h"

#include "config/words.h"
#include "core/strings.h"

#include <arpa/inet.h>

#include <cctype>

namespace sonora::modules::aaa {

namespace {

bool looks_like_ip(std::string_view s) {
    if (s.empty()) {
        return false;
    }
    if (s.find(':') != std::string_view::npos) {
        return true;  // meant as IPv6, whatever else it holds
    }
    for (char c : s) {
        if (c != '.' && !std::isdigit(static_cast<unsigned char>(c))) {
            return false;
        }
    }
    return true;
}

// Dotted IPv4 with 1 to 4 parts and an optional trailing dot ("10.1." is 10.1/16).
bool parse_v4_network(std::string_view s, expr::Subnet& out, int& parts, bool partial_ok) {
    parts = 0;
    while (!s.empty()) {
        std::size_t digits = 0;
        unsigned value = 0;
        while (digits < s.size() && std::isdigit(static_cast<unsigned char>(s[digits]))) {
            value = value * 10 + static_cast<unsigned>(s[digits] - '0');
            if (value > 255) {
                return false;
            }
            ++digits;
        }
        if (digits == 0 || parts == 4) {
            return false;
        }
        out.addr[static_cast<std::size_t>(parts)] = static_cast<std::uint8_t>(value);
        out.mask[static_cast<std::size_t>(parts)] = 0xff;
        ++parts;
        s.remove_prefix(digits);
        if (!s.empty()) {
            if (s.front() != '.') {
                return false;
            }
            s.remove_prefix(1);
            if (s.empty() && !partial_ok) {
                return false;
            }
        }
    }
    return parts == 4 || (partial_ok && parts > 0);
}

void set_prefix(expr::Subnet& net, unsigned bits) {
    net.mask.fill(0);
    for (std::size_t i = 0; i < 16 && bits > 0; ++i) {
        unsigned take = bits >= 8 ? 8 : bits;
        net.mask[i] = static_cast<std::uint8_t>(0xff00u >> take);
        bits -= take;
    }
}

bool all_digits(std::string_view s) {
    if (s.empty() || s.size() > 3) {
        return false;
    }
    for (char c : s) {
        if (!std::isdigit(static_cast<unsigned char>(c))) {
            return false;
        }
    }
    return true;
}

CmdResult parse_ip(Cmd&, std::string_view args, AuthzArgs& out) {
    std::vector<expr::Subnet> nets;
    std::string_view rest = args;
    for (std::string w = config::next_word(rest); !w.empty(); w = config::next_word(rest)) {
        std::string_view word = w;
        std::optional<std::string_view> mask;
        std::string_view addr = word;
        if (std::size_t slash = word.find('/'); slash != std::string_view::npos) {
            addr = word.substr(0, slash);
            mask = word.substr(slash + 1);
        }
        expr::Subnet net;
        SubnetError e = parse_subnet(addr, mask, net);
        if (e == SubnetError::NotAnAddress) {
            return "ip address '" + w + "' appears to be invalid";
        }
        if (e != SubnetError::None) {
            return "ip address '" + w + "' appears to be invalid: " + std::string(subnet_error_text(e));
        }
        nets.push_back(net);
    }
    if (nets.empty()) {
        return std::string("'require ip' requires an argument");
    }
    out = std::move(nets);
    return std::nullopt;
}

// Require host NAME...: names or domains, matched against the client's
// double-reverse-verified name (looked up when the rule is evaluated).
CmdResult parse_host(Cmd&, std::string_view args, AuthzArgs& out) {
    std::vector<std::string> names = config::split_words(args);
    if (names.empty()) {
        return std::string("'require host' requires an argument");
    }
    out = std::move(names);
    return std::nullopt;
}

// forward-dns needs a forward lookup of each configured name at request
// time, which the resolver does not offer yet. Refused rather than accepted:
// a requirement that is read but not applied would widen access.
CmdResult parse_forward_dns(Cmd&, std::string_view, AuthzArgs&) {
    return std::string("Require forward-dns is not enforced yet: Sonora does not resolve names for access checks; "
                       "use Require ip or Require host instead");
}

CmdResult parse_local(Cmd&, std::string_view, AuthzArgs& out) {
    out = std::monostate{};
    return std::nullopt;
}

const AuthzProvider kProviders[] = {
    {"ip", &authz_host_module, parse_ip},
    {"host", &authz_host_module, parse_host},
    {"forward-dns", &authz_host_module, parse_forward_dns},
    {"local", &authz_host_module, parse_local},
};

}  // namespace

bool in_domain(std::string_view domain, std::string_view host) {
    if (domain.empty() || host.size() < domain.size() ||
        !equals_nocase(host.substr(host.size() - domain.size()), domain)) {
        return false;
    }
    // A whole label must match: "good.com" lets in "www.good.com", not "nogood.com".
    return host.size() == domain.size() || domain.front() == '.' || host[host.size() - domain.size() - 1] == '.';
}

SubnetError parse_subnet(std::string_view addr, std::optional<std::string_view> mask, expr::Subnet& out) {
    out = expr::Subnet{};
    if (!looks_like_ip(addr)) {
        return SubnetError::NotAnAddress;
    }
    unsigned max_bits = 32;
    if (addr.find(':') != std::string_view::npos) {
        out.v6 = true;
        max_bits = 128;
        std::string tmp(addr);
        if (inet_pton(AF_INET6, tmp.c_str(), out.addr.data()) != 1) {
            return SubnetError::BadIp;
        }
        set_prefix(out, 128);
    } else {
        int parts = 0;
        // A partial address is a network of its own; with a mask it must be whole.
        if (!parse_v4_network(addr, out, parts, !mask.has_value())) {
            return SubnetError::BadIp;
        }
    }
    if (mask) {
        if (all_digits(*mask)) {
            unsigned bits = 0;
            for (char c : *mask) {
                bits = bits * 10 + static_cast<unsigned>(c - '0');
            }
            if (bits == 0 || bits > max_bits) {
                return SubnetError::BadMask;
            }
            set_prefix(out, bits);
        } else if (!out.v6) {
            std::string tmp(*mask);
            std::uint8_t m[4];
            if (inet_pton(AF_INET, tmp.c_str(), m) != 1) {
                return SubnetError::BadMask;
            }
            out.mask.fill(0);
            for (std::size_t i = 0; i < 4; ++i) {
                out.mask[i] = m[i];
            }
        } else {
            return SubnetError::BadMask;
        }
    }
    for (std::size_t i = 0; i < 16; ++i) {
        out.addr[i] &= out.mask[i];
    }
    return SubnetError::None;
}

std::string_view subnet_error_text(SubnetError e) {
    switch (e) {
        case SubnetError::BadIp: return "The specified IP address is invalid.";
        case SubnetError::BadMask: return "The specified network mask is invalid.";
        default: return {};
    }
}

std::span<const AuthzProvider> authz_host_providers() { return kProviders; }

Module authz_host_module{
    .name = "authz_host_module",
    .source = "mod_authz_host.c",
};

}  // namespace sonora::modules::aaa
