#pragma once
// httpd's mod_authz_host (loadable): the authorization providers that look at
// where a request comes from. It has no directives; while it is loaded,
// `Require` (mod_authz_core) accepts:
//   Require ip ADDR...           IPv4/IPv6 addresses, CIDR (a.b.c.d/n, x::/n),
//                                netmasks (a.b.c.d/m.m.m.m), partial IPv4 (10.1)
//   Require host NAME...         host names or domain suffixes (runtime DNS)
//   Require forward-dns NAME...  the client's address is one a name resolves
//                                to (runtime DNS, forward only; the line is an
//                                expression string, as httpd's)
//   Require local                loopback or the server's own address
// `Require ip` is validated at configuration time, with httpd's messages.
// Names are looked up through ConnectionInfo::lookups, off the event loop:
// a rule whose answer is not cached yet is Pending, and the request runs
// again once it is. A name that does not resolve never grants.

#include "expr/subnet.h"
#include "modules/aaa/mod_authz_core.h"

#include <sonora/module.h>

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sonora::modules::aaa {

extern Module authz_host_module;

// The providers above, each owned by authz_host_module.
std::span<const AuthzProvider> authz_host_providers();

// Parsing an address (and optional mask) the way APR's apr_ipsubnet_create
// does for httpd, keeping its three failure kinds apart because httpd words
// them differently.
enum class SubnetError : std::uint8_t {
    None,
    NotAnAddress,  // does not look like an IP address at all (APR_EINVAL)
    BadIp,         // "The specified IP address is invalid."
    BadMask,       // "The specified network mask is invalid."
};
SubnetError parse_subnet(std::string_view addr, std::optional<std::string_view> mask, expr::Subnet& out);
// APR's text for BadIp / BadMask (empty for the others).
std::string_view subnet_error_text(SubnetError e);

// httpd's in_domain: whether `host` is `domain` or lies under it (whole
// labels, case-insensitive; a domain written with a leading '.' matches
// only below it).
bool in_domain(std::string_view domain, std::string_view host);

}  // namespace sonora::modules::aaa
