// mod_authz_core's access_checker hook: evaluates the merged requirement tree
// (providers all, method, ip and local; the others are not evaluated yet and
// neither grant nor deny, so a tree that needs them does not grant).

#include "modules/aaa/mod_authz_core.h"
#include "modules/core/request_log.h"

#include <sonora/hooks.h>

#include "core/strings.h"
#include "expr/subnet.h"

namespace sonora::modules::aaa {

namespace {

enum class AuthzResult { Granted, Denied, Neutral };

using request::Request;

AuthzResult authorize(const AuthzNode& n, const Request& r);

AuthzResult provider_result(const AuthzNode& n, const Request& r) {
    if (n.provider == "all") {
        const bool* granted = std::get_if<bool>(&n.parsed);
        return granted != nullptr && *granted ? AuthzResult::Granted : AuthzResult::Denied;
    }
    if (n.provider == "method") {
        if (const auto* list = std::get_if<std::vector<std::string>>(&n.parsed)) {
            for (const std::string& m : *list) {
                if (equals_nocase(m, r.method_name)) {
                    return AuthzResult::Granted;
                }
            }
        }
        return AuthzResult::Denied;
    }
    if (n.provider == "ip") {
        if (const auto* nets = std::get_if<std::vector<expr::Subnet>>(&n.parsed)) {
            for (const expr::Subnet& net : *nets) {
                if (net.contains(r.client_ip)) {
                    return AuthzResult::Granted;
                }
            }
        }
        return AuthzResult::Denied;
    }
    if (n.provider == "local") {
        bool local = r.client_ip.starts_with("127.") || r.client_ip == "::1" || r.client_ip.starts_with("::ffff:127.");
        return local ? AuthzResult::Granted : AuthzResult::Denied;
    }
    return AuthzResult::Neutral;
}

AuthzResult authorize(const AuthzNode& n, const Request& r) {
    AuthzResult result;
    if (!n.is_group()) {
        result = provider_result(n, r);
    } else if (n.op == AuthzNode::Op::And) {
        // <RequireAll>: denied if any child denies; granted if all grant.
        result = AuthzResult::Granted;
        for (const auto& c : n.children) {
            AuthzResult cr = authorize(*c, r);
            if (cr == AuthzResult::Denied) {
                result = AuthzResult::Denied;
                break;
            }
            if (cr == AuthzResult::Neutral) {
                result = AuthzResult::Neutral;
            }
        }
    } else {
        // <RequireAny>: granted if any child grants.
        result = AuthzResult::Neutral;
        for (const auto& c : n.children) {
            AuthzResult cr = authorize(*c, r);
            if (cr == AuthzResult::Granted) {
                result = AuthzResult::Granted;
                break;
            }
            if (cr == AuthzResult::Denied) {
                result = AuthzResult::Denied;
            }
        }
    }
    if (n.negate) {
        // "Require not": a grant becomes a denial; a denial only means "no opinion".
        result = result == AuthzResult::Granted ? AuthzResult::Denied : AuthzResult::Neutral;
    }
    return result;
}

// access_checker: the merged requirement tree for this request must grant.
int check_access(Request& r, Services&) {
    const auto* authz = r.dir_config->get<AuthzCoreDirConfig>(authz_core_module.index);
    if (authz == nullptr || !authz->section) {
        return kDeclined;
    }
    if (authorize(*authz->section, r) == AuthzResult::Granted) {
        return kOk;
    }
    modules::core::log_request_error(r, LogLevel::Error, "authz_core", "SN01630",
                                     "client denied by server configuration: " + std::string(r.filename));
    return 403;
}

}  // namespace

void authz_register_hooks(HookRegistry& hooks) { hooks.add(Phase::AccessChecker, check_access, HookOrder::Middle); }

}  // namespace sonora::modules::aaa
