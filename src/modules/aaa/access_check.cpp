// mod_access_compat at request time: httpd's check_dir_access (the
// access_checker hook) and the Satisfy value it publishes to the driver.

#include "modules/aaa/mod_access_compat.h"
#include "modules/aaa/mod_authz_host.h"
#include "modules/core/core_config.h"
#include "modules/core/request_log.h"

#include <sonora/hooks.h>

namespace sonora::modules::aaa {

namespace {

using request::Request;

enum class Match { No, Yes, NeedHostName };

// Whether any rule of `rules` that covers this method matches the client.
// Host rules need the verified name; when it is not known yet the answer
// waits for it (httpd looks it up at that rule).
Match find_rule(const Request& r, const std::vector<AccessRule>& rules, http::MethodMask method) {
    for (const AccessRule& rule : rules) {
        if ((rule.methods & method) == 0) {
            continue;
        }
        switch (rule.type) {
            case AccessRule::Type::All: return Match::Yes;
            case AccessRule::Type::Env:
                if (r.env_get(rule.from)) {
                    return Match::Yes;
                }
                break;
            case AccessRule::Type::NotEnv:
                if (!r.env_get(rule.from)) {
                    return Match::Yes;
                }
                break;
            case AccessRule::Type::Ip:
                if (rule.ip.contains(r.client_ip)) {
                    return Match::Yes;
                }
                break;
            case AccessRule::Type::Host: {
                const std::optional<std::string_view> host = r.verified_host();
                if (!host) {
                    return Match::NeedHostName;
                }
                if (!host->empty() && in_domain(rule.from, *host)) {
                    return Match::Yes;
                }
                break;
            }
        }
    }
    return Match::No;
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
    // Deny,Allow: a client no Deny matches is in, else an Allow must match.
    // Allow,Deny and Mutual-failure: an Allow must match and no Deny. The
    // second list is looked at only when the first leaves the answer open
    // (as httpd), so a host rule there costs no lookup otherwise.
    const bool deny_first = a->order[static_cast<std::size_t>(number)] == AccessOrder::DenyAllow;
    const Match first = find_rule(r, deny_first ? a->denys : a->allows, method);
    if (first == Match::NeedHostName) {
        return kAwaitHostName;
    }
    bool ok = deny_first;
    if (first == Match::Yes) {
        const Match second = find_rule(r, deny_first ? a->allows : a->denys, method);
        if (second == Match::NeedHostName) {
            return kAwaitHostName;
        }
        ok = deny_first ? second == Match::Yes : second == Match::No;
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
