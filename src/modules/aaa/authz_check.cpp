// mod_authz_core at request time: the merged requirement tree evaluated as
// httpd's apply_authz_sections does (the access_checker_ex hook).
//
// Results are httpd's: granted, denied, neutral (no opinion). A node whose
// methods do not include the request's is skipped: granted inside an "all"
// group (it must not spoil the others), neutral elsewhere. An "all" group is
// denied by any denial and otherwise takes its first non-neutral child's
// result; an "any" group is granted by any grant. "Require not" turns a grant
// into a denial and a denial into neutral. The tree must come out granted.
// No provider here needs an authenticated user (authn modules come later), so
// httpd's "denied, no user" never arises.

#include "modules/aaa/mod_authz_core.h"
#include "modules/aaa/mod_authz_host.h"
#include "modules/core/core_config.h"
#include "modules/core/request_log.h"

#include <sonora/hooks.h>

#include "core/strings.h"
#include "expr/eval.h"
#include "expr/request_context.h"
#include "expr/subnet.h"
#include "http/method.h"

namespace sonora::modules::aaa {

namespace {

// Pending: a provider needs the client's verified host name, not looked up
// yet; the evaluation stops there and the request runs again once it is.
enum class AuthzResult { Granted, Denied, Neutral, Pending };

using request::Request;

struct Evaluation {
    const Request& r;
    http::MethodMask method;
};

AuthzResult check_provider(std::string_view provider, const AuthzArgs& args, const Evaluation& ev) {
    const Request& r = ev.r;
    auto grant_if = [](bool b) { return b ? AuthzResult::Granted : AuthzResult::Denied; };
    if (provider == "all") {
        const bool* granted = std::get_if<bool>(&args);
        return grant_if(granted != nullptr && *granted);
    }
    if (provider == "method") {
        if (const auto* list = std::get_if<std::vector<std::string>>(&args)) {
            for (const std::string& m : *list) {
                // By number, as httpd: `Require method GET` covers HEAD.
                if (http::method_bit(modules::core::method_number(*r.server, m)) & ev.method) {
                    return AuthzResult::Granted;
                }
            }
        }
        return AuthzResult::Denied;
    }
    if (provider == "env") {
        if (const auto* list = std::get_if<std::vector<std::string>>(&args)) {
            for (const std::string& name : *list) {
                if (r.env_get(name)) {
                    return AuthzResult::Granted;
                }
            }
        }
        return AuthzResult::Denied;
    }
    if (provider == "expr") {
        const auto* e = std::get_if<std::shared_ptr<const expr::Expr>>(&args);
        if (e == nullptr || !*e) {
            return AuthzResult::Denied;
        }
        expr::RequestContext ctx(r);
        return grant_if(expr::evaluate(**e, ctx));
    }
    if (provider == "ip") {
        if (const auto* nets = std::get_if<std::vector<expr::Subnet>>(&args)) {
            for (const expr::Subnet& net : *nets) {
                if (net.contains(r.client_ip)) {
                    return AuthzResult::Granted;
                }
            }
        }
        return AuthzResult::Denied;
    }
    if (provider == "host") {
        // httpd looks the name up (double reverse) only when this is evaluated.
        const std::optional<std::string_view> host = r.verified_host();
        if (!host) {
            return AuthzResult::Pending;
        }
        if (host->empty()) {
            return AuthzResult::Denied;
        }
        if (const auto* names = std::get_if<std::vector<std::string>>(&args)) {
            for (const std::string& name : *names) {
                if (in_domain(name, *host)) {
                    return AuthzResult::Granted;
                }
            }
        }
        return AuthzResult::Denied;
    }
    if (provider == "local") {
        // Loopback, or a client on one of the server's own addresses.
        bool local = r.client_ip.starts_with("127.") || r.client_ip == "::1" ||
                     r.client_ip.starts_with("::ffff:127.") ||
                     (r.connection != nullptr && !r.connection->local_ip.empty() &&
                      r.connection->local_ip == r.client_ip);
        return grant_if(local);
    }
    // host and forward-dns are refused when the configuration is read, so no
    // other provider can reach a request; deny rather than guess.
    return AuthzResult::Denied;
}

AuthzResult apply(const AuthzNode& n, const Evaluation& ev, AuthzNode::Op parent_op) {
    if ((n.methods & ev.method) == 0) {
        return parent_op == AuthzNode::Op::And ? AuthzResult::Granted : AuthzResult::Neutral;
    }
    AuthzResult result = AuthzResult::Neutral;
    if (!n.is_group()) {
        if (const AuthzAlias* alias = find_authz_alias(*ev.r.server, n.provider)) {
            result = check_provider(alias->base_provider, alias->parsed, ev);
        } else {
            result = check_provider(n.provider, n.parsed, ev);
        }
        if (result == AuthzResult::Pending) {
            return result;
        }
    } else {
        // A denial settles an "all" group, a grant an "any" group; otherwise
        // the first child with an opinion gives the group's.
        const AuthzResult decisive = n.op == AuthzNode::Op::And ? AuthzResult::Denied : AuthzResult::Granted;
        for (const auto& c : n.children) {
            AuthzResult cr = apply(*c, ev, n.op);
            if (cr == AuthzResult::Pending) {
                return cr;
            }
            if (cr == decisive) {
                result = cr;
                break;
            }
            if (result == AuthzResult::Neutral) {
                result = cr;
            }
        }
    }
    if (n.negate) {
        result = result == AuthzResult::Granted ? AuthzResult::Denied : AuthzResult::Neutral;
    }
    return result;
}

// access_checker_ex: no requirement anywhere grants (httpd: "granted (no
// directives)"); otherwise the tree must grant.
int check_access(Request& r, Services&) {
    const auto* authz = r.dir_config->get<AuthzCoreDirConfig>(authz_core_module.index);
    if (authz == nullptr || !authz->section) {
        return kDeclined;
    }
    Evaluation ev{r, http::method_bit(modules::core::method_number(*r.server, r.method_name))};
    const AuthzResult result = apply(*authz->section, ev, AuthzNode::Op::And);
    if (result == AuthzResult::Pending) {
        return kAwaitHostName;
    }
    if (result == AuthzResult::Granted) {
        return kOk;
    }
    modules::core::log_request_error(r, LogLevel::Error, "authz_core", "SN01630",
                                     "client denied by server configuration: " + std::string(r.filename));
    return 403;
}

}  // namespace

void authz_register_hooks(HookRegistry& hooks) { hooks.add(Phase::AccessCheckerEx, check_access, HookOrder::Middle); }

}  // namespace sonora::modules::aaa
