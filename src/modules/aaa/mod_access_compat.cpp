// httpd's mod_access_compat: Order, Allow, Deny, Satisfy, read per method;
// the request-time check is in access_check.cpp.

#include "modules/aaa/mod_access_compat.h"

#include "config/engine.h"
#include "core/strings.h"
#include "modules/aaa/mod_authz_host.h"

namespace sonora::modules::aaa {

namespace {

using Args = std::span<const std::string>;

AccessCompatDirConfig& conf_of(Cmd& cmd) {
    auto& conf = cmd.conf<AccessCompatDirConfig>();
    conf.used = true;
    return conf;
}

// Order and Satisfy are kept per method: the <Limit> they are read in says which.
template <class Table, class Value>
void set_for_methods(Table& table, http::MethodMask methods, const Value& value) {
    for (int m = 0; m < http::kMethodLimit; ++m) {
        if (methods & http::method_bit(m)) {
            table[static_cast<std::size_t>(m)] = value;
        }
    }
}

CmdResult order(Cmd& cmd, Args a) {
    AccessOrder o;
    if (equals_nocase(a[0], "allow,deny")) {
        o = AccessOrder::AllowDeny;
    } else if (equals_nocase(a[0], "deny,allow")) {
        o = AccessOrder::DenyAllow;
    } else if (equals_nocase(a[0], "mutual-failure")) {
        o = AccessOrder::MutualFailure;
    } else {
        return std::string("unknown order");
    }
    auto& conf = conf_of(cmd);
    set_for_methods(conf.order, cmd.scope().methods, o);
    return std::nullopt;
}

CmdResult parse_rule(std::string_view where, AccessRule& rule) {
    rule.from = std::string(where);
    if (starts_with_nocase(where, "env=!")) {
        rule.type = AccessRule::Type::NotEnv;
        rule.from = std::string(where.substr(5));
        return std::nullopt;
    }
    if (starts_with_nocase(where, "env=")) {
        rule.type = AccessRule::Type::Env;
        rule.from = std::string(where.substr(4));
        return std::nullopt;
    }
    if (equals_nocase(where, "all")) {
        rule.type = AccessRule::Type::All;
        return std::nullopt;
    }
    if (std::size_t slash = where.find('/'); slash != std::string_view::npos) {
        SubnetError e = parse_subnet(where.substr(0, slash), where.substr(slash + 1), rule.ip);
        if (e == SubnetError::NotAnAddress) {
            return std::string("An IP address was expected");
        }
        if (e != SubnetError::None) {
            return std::string(subnet_error_text(e));
        }
        rule.type = AccessRule::Type::Ip;
        return std::nullopt;
    }
    SubnetError e = parse_subnet(where, std::nullopt, rule.ip);
    if (e == SubnetError::None) {
        rule.type = AccessRule::Type::Ip;
        return std::nullopt;
    }
    if (e != SubnetError::NotAnAddress) {
        return std::string(subnet_error_text(e));
    }
    if (where.find('#') != std::string_view::npos) {
        return std::string("No comments are allowed here");
    }
    // A host name or domain: matched against the client's double-reverse
    // verified name, looked up when the rule is reached.
    rule.type = AccessRule::Type::Host;
    return std::nullopt;
}

// Allow and Deny: called once per address, with "from" as the first argument.
CmdResult allow_deny(Cmd& cmd, Args a) {
    if (!equals_nocase(a[0], "from")) {
        return std::string("allow and deny must be followed by 'from'");
    }
    AccessRule rule;
    if (auto err = parse_rule(a[1], rule)) {
        return err;
    }
    rule.methods = cmd.scope().methods;
    auto& conf = conf_of(cmd);
    (cmd.spec().name == "allow" ? conf.allows : conf.denys).push_back(std::move(rule));
    return std::nullopt;
}

CmdResult satisfy(Cmd& cmd, Args a) {
    Satisfy s;
    if (equals_nocase(a[0], "all")) {
        s = Satisfy::All;
    } else if (equals_nocase(a[0], "any")) {
        s = Satisfy::Any;
    } else {
        return std::string("Satisfy either 'any' or 'all'.");
    }
    auto& conf = conf_of(cmd);
    set_for_methods(conf.satisfy, cmd.scope().methods, s);
    return std::nullopt;
}

const DirectiveSpec kDirectives[] = {
    {"order", ArgForm::Take1, kOrLimit, 0, ConfLevel::Dir, order,
     "which list is applied first: 'allow,deny', 'deny,allow' or 'mutual-failure'"},
    {"allow", ArgForm::Iterate2, kOrLimit, 0, ConfLevel::Dir, allow_deny,
     "'from', then the host names, addresses or networks to let in"},
    {"deny", ArgForm::Iterate2, kOrLimit, 0, ConfLevel::Dir, allow_deny,
     "'from', then the host names, addresses or networks to keep out"},
    {"Satisfy", ArgForm::Take1, kOrAuthCfg, 0, ConfLevel::Dir, satisfy,
     "'all' to need both host access and authorization, 'any' to need either"},
};

}  // namespace

Module access_compat_module{
    .name = "access_compat_module",
    .source = "mod_access_compat.c",
    .directives = kDirectives,
    .dir_config = config_ops<AccessCompatDirConfig>(),
    .register_hooks = access_compat_register_hooks,
};

}  // namespace sonora::modules::aaa
