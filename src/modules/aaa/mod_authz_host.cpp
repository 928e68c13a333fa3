// httpd's mod_authz_host: the ip, host, forward-dns and local providers for
// Require. Their arguments are checked and parsed here; forward-dns is also
// evaluated here, the others by authz_check.cpp.

#include "modules/aaa/mod_authz_host.h"

#include "config/words.h"
#include "core/strings.h"
#include "modules/core/request_log.h"

#include <arpa/inet.h>

#include <algorithm>
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

// Require forward-dns NAME...: as httpd, the rest of the line is an
// expression string, split into names when the request is checked.
CmdResult parse_forward_dns(Cmd&, std::string_view args, AuthzArgs& out) { return parse_require_words(args, out); }

// Calls `each` with the names of a forward-dns line in order. As httpd, a
// word starting with '#' ends the list (a comment on the Require line), and
// one with a '#' inside counts up to it and ends the list after it.
template <typename Each>
void for_each_name(const std::vector<std::string>& words, Each each) {
    for (const std::string& word : words) {
        const std::size_t hash = word.find('#');
        if (hash == 0) {
            return;
        }
        if (!each(std::string_view(word).substr(0, hash)) || hash != std::string::npos) {
            return;
        }
    }
}

// Granted when the client's address is one of a name's addresses (forward
// lookups only: what the client's address is called does not matter). The
// names are looked up together; a name that does not resolve matches
// nothing. A refusal says why, as httpd does.
AuthzResult check_forward_dns(const request::Request& r, const AuthzArgs& args, const ConfigVector*) {
    const auto* w = std::get_if<RequireWords>(&args);
    if (w == nullptr) {
        return AuthzResult::Denied;
    }
    std::vector<std::string> evaluated;
    const std::vector<std::string>& words = w->expr ? (evaluated = require_words(r, *w)) : w->words;
    const std::optional<request::IpAddress> client = request::parse_ip_address(r.client_ip);
    request::HostLookups* lookups = r.connection != nullptr ? r.connection->lookups : nullptr;
    bool granted = false;
    bool pending = false;
    for_each_name(words, [&](std::string_view name) {
        const auto list = lookups != nullptr ? lookups->addresses(name) : std::span<const request::IpAddress>();
        if (!list) {
            pending = true;  // go on: the other names are looked up meanwhile
        } else if (client && std::find(list->begin(), list->end(), *client) != list->end()) {
            granted = true;
        }
        return !granted;
    });
    if (granted) {
        return AuthzResult::Granted;
    }
    if (pending) {
        return AuthzResult::Pending;
    }
    for_each_name(words, [&](std::string_view name) {
        const auto list = lookups != nullptr ? lookups->addresses(name) : std::span<const request::IpAddress>();
        if (list && list->empty()) {
            core::log_request_error(r, LogLevel::Warn, "authz_host", "SN03356",
                                    "No sockaddr info for \"" + std::string(name) + "\"");
        } else if (list) {
            for (std::size_t i = 0; i < list->size(); ++i) {
                core::log_request_error(r, LogLevel::Debug, "authz_host", "SN03355",
                                        "access check for " + std::string(r.client_ip) + " as '" +
                                            std::string(name) + "': no");
            }
        }
        return true;
    });
    return AuthzResult::Denied;
}

CmdResult parse_local(Cmd&, std::string_view, AuthzArgs& out) {
    out = std::monostate{};
    return std::nullopt;
}

const AuthzProvider kProviders[] = {
    {"ip", &authz_host_module, parse_ip},
    {"host", &authz_host_module, parse_host},
    {"forward-dns", &authz_host_module, parse_forward_dns, check_forward_dns},
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
