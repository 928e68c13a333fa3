// mod_access_compat at request time: httpd's check_dir_access (the
// access_checker hook) and the Satisfy value it publishes to the driver.

#include "modules/aaa/mod_access_compat.h"
#include "modules/core/core_config.h"
#include "modules/core/request_log.h"

#include <sonora/hooks.h>

namespace sonora::modules::aaa {

namespace {

using request::Request;

// Whether any rule of `rules` that covers this method matches the client.
bool find_rule(const Request& r, const std::vector<AccessRule>& rules, http::MethodMask method) {
    for (const AccessRule& rule : rules) {
        if ((rule.methods & method) == 0) {
            continue;
        }
        switch (rule.type) {
            case AccessRule::Type::All: return true;
            case AccessRule::Type::Env:
                if (r.env_get(rule.from)) {
                    return true;
                }
                break;
            case AccessRule::Type::NotEnv:
                if (!r.env_get(rule.from)) {
                    return true;
                }
                break;
            case AccessRule::Type::Ip:
                if (rule.ip.contains(r.client_ip)) {
                    return true;
                }
                break;
            case AccessRule::Type::Host: break;  // refused when read; never reaches a request
        }
    }
    return false;
}

const AccessCompatDirConfig* conf_of(const Request& r) {
    return r.dir_config != nullptr ? r.dir_config->get<AccessCompatDirConfig>(access_compat_module.index) : nullptr;
}

int check_dir_access(Request& r, Services&) {
    const AccessCompatDirConfig* a = conf_of(r);
    if (a == nullptr || !a->used) {
        return kDeclined;  // the default record: Deny,Allow with no rules lets everyone in
    }
    const int number = modules::core::method_number(*r.server, r.method_name);
    const http::MethodMask method = http::method_bit(number);
    bool ok = true;
    switch (a->order[static_cast<std::size_t>(number)]) {
        case AccessOrder::AllowDeny:
            ok = find_rule(r, a->allows, method) && !find_rule(r, a->denys, method);
            break;
        case AccessOrder::DenyAllow:
            ok = !find_rule(r, a->denys, method) || find_rule(r, a->allows, method);
            break;
        case AccessOrder::MutualFailure:
            ok = find_rule(r, a->allows, method) && !find_rule(r, a->denys, method);
            break;
    }
    if (ok) {
        return kOk;
    }
    modules::core::log_request_error(r, LogLevel::Error, "access_compat", "SN01797",
                                     "client denied by server configuration: " + std::string(r.filename));
    return 403;
}

int satisfies(Request& r, Services&) {
    const AccessCompatDirConfig* a = conf_of(r);
    if (a == nullptr || !a->used) {
        return kDeclined;
    }
    const auto& s = a->satisfy[static_cast<std::size_t>(modules::core::method_number(*r.server, r.method_name))];
    if (!s) {
        return kDeclined;
    }
    return *s == Satisfy::Any ? kSatisfyAny : kSatisfyAll;
}

}  // namespace

void access_compat_register_hooks(HookRegistry& hooks) {
    hooks.add(Phase::AccessChecker, check_dir_access, HookOrder::Middle);
    hooks.add(Phase::Satisfies, satisfies, HookOrder::Middle);
}

}  // namespace sonora::modules::aaa
