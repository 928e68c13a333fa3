#pragma once
// httpd's mod_access_compat (loadable): the httpd 2.2 host-based access
// control, kept for old configurations.
//
// Directives (in <Directory>/<Location>/<Files>/<If>; .htaccess with
// AllowOverride Limit, Satisfy with AuthConfig):
//   Order Deny,Allow | Allow,Deny | Mutual-failure
//   Allow from all|env=[!]var|host|ip|partial ip|ip/bits|ip/netmask ...
//   Deny from ...
//   Satisfy Any|All
// httpd spells the first three in lower case ("order", "allow", "deny") and so
// do its messages; so do ours.
//
// Merge rule: httpd gives this module no merge function, and creates a
// section's record only when one of these directives appears in it. So a
// section that uses any of them replaces the parent's record whole (its
// Allow/Deny lists, Order and Satisfy); one that uses none inherits it.
//
// TODO(sonora): httpd keeps Order and Satisfy per method (<Limit>); the engine
// exposes only whether a directive is inside <Limit>, recorded as `limited`.

#include "expr/subnet.h"

#include <sonora/module.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sonora::modules::aaa {

extern Module access_compat_module;

enum class AccessOrder : std::uint8_t { DenyAllow, AllowDeny, MutualFailure };
enum class Satisfy : std::uint8_t { All, Any };

struct AccessRule {
    enum class Type : std::uint8_t { All, Env, NotEnv, Ip, Host };
    Type type = Type::All;
    std::string from;    // the variable (Env/NotEnv), host name or address as written
    expr::Subnet ip;     // Type::Ip
    bool limited = false;
};

struct AccessCompatDirConfig {
    bool used = false;  // some directive of this module appears in the section
    AccessOrder order = AccessOrder::DenyAllow;
    bool order_limited = false;
    std::vector<AccessRule> allows;
    std::vector<AccessRule> denys;
    std::optional<Satisfy> satisfy;  // unset: All at request time
    bool satisfy_limited = false;

    static AccessCompatDirConfig merge(const AccessCompatDirConfig& base, const AccessCompatDirConfig& add) {
        return add.used ? add : base;
    }
};

}  // namespace sonora::modules::aaa
