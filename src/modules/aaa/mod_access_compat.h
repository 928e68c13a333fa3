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
// Per method, as httpd: Order and Satisfy are kept for each method number the
// enclosing <Limit>/<LimitExcept> covers (all of them outside one), and each
// Allow/Deny rule carries the methods it applies to.
//
// At request time (access_check.cpp), httpd's check_dir_access: the request
// method's Order decides how the two lists combine, and its Satisfy tells the
// request driver whether passing these checks is enough (Any) or whether the
// Require checks must pass too (All, the default). Host-name rules need a
// double-reverse DNS lookup that the access phase cannot wait for yet: they
// are refused at startup ("not enforced yet"), never ignored.

#include "expr/subnet.h"
#include "http/method.h"

#include <array>

#include <sonora/module.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sonora::modules::aaa {

extern Module access_compat_module;
void access_compat_register_hooks(HookRegistry& hooks);

enum class AccessOrder : std::uint8_t { DenyAllow, AllowDeny, MutualFailure };
enum class Satisfy : std::uint8_t { All, Any };

struct AccessRule {
    enum class Type : std::uint8_t { All, Env, NotEnv, Ip, Host };
    Type type = Type::All;
    std::string from;    // the variable (Env/NotEnv), host name or address as written
    expr::Subnet ip;     // Type::Ip
    http::MethodMask methods = http::kAllMethods;
};

struct AccessCompatDirConfig {
    bool used = false;  // some directive of this module appears in the section
    // Indexed by method number.
    std::array<AccessOrder, http::kMethodLimit> order;
    std::vector<AccessRule> allows;
    std::vector<AccessRule> denys;
    std::array<std::optional<Satisfy>, http::kMethodLimit> satisfy;  // unset: All at request time

    AccessCompatDirConfig() { order.fill(AccessOrder::DenyAllow); }

    static AccessCompatDirConfig merge(const AccessCompatDirConfig& base, const AccessCompatDirConfig& add) {
        return add.used ? add : base;
    }
};

}  // namespace sonora::modules::aaa
