// mod_authz_core at request time: the merged requirement tree evaluated as
// httpd's apply_authz_sections does, before authentication (the
// access_checker_ex hook) and, when a requirement needs a user, after it
// (the auth_checker hook).
//
// Results are httpd's: granted, denied, denied for want of a user, neutral
// (no opinion), error. A node whose methods do not include the request's is
// skipped: granted inside an "all" group (it must not spoil the others),
// neutral elsewhere. An "all" group is settled by a denial; otherwise "no
// user" outweighs a grant (a user might still be refused). An "any" group is
// settled by a grant; otherwise "no user" outweighs a denial (a user might
// still be let in). A neutral group takes its first child's opinion. An
// error anywhere is the tree's result. "Require not" turns a grant into a
// denial and either denial into neutral. The tree must come out granted.

#include "modules/aaa/mod_authz_core.h"
#include "modules/aaa/mod_authz_host.h"
#include "modules/core/core_config.h"
#include "modules/core/request_log.h"

#include "modules/aaa/mod_authn_core.h"

#include <sonora/hooks.h>

#include "core/strings.h"
#include "expr/eval.h"
#include "expr/request_context.h"
#include "expr/subnet.h"
#include "http/method.h"

namespace sonora::modules::aaa {

namespace {

using request::Request;

struct Evaluation {
    Request& r;  // Require expr merges the headers it reads into Vary
    http::MethodMask method;
};

AuthzResult check_provider(std::string_view provider, const AuthzArgs& args, const Evaluation& ev) {
    Request& r = ev.r;
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
        const auto* e = std::get_if<RequireExpr>(&args);
        if (e == nullptr || !e->expr) {
            return AuthzResult::Denied;
        }
        expr::RequestContext ctx(r);
        if (expr::evaluate(*e->expr, ctx)) {
            return AuthzResult::Granted;
        }
        return e->wants_user ? AuthzResult::DeniedNoUser : AuthzResult::Denied;
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
    // Every other provider has a check function; deny rather than guess.
    return AuthzResult::Denied;
}

// How a child's opinion changes its group's so far.
AuthzResult combine(AuthzNode::Op op, AuthzResult group, AuthzResult child) {
    if (child == AuthzResult::Neutral) {
        return group;
    }
    if (group == AuthzResult::Neutral) {
        return child;
    }
    if (op == AuthzNode::Op::And) {
        return child == AuthzResult::Denied || child == AuthzResult::DeniedNoUser ? child : group;
    }
    return child == AuthzResult::Granted || (child == AuthzResult::DeniedNoUser && group == AuthzResult::Denied)
               ? child
               : group;
}

AuthzResult apply(const AuthzNode& n, const Evaluation& ev, AuthzNode::Op parent_op) {
    if ((n.methods & ev.method) == 0) {
        return parent_op == AuthzNode::Op::And ? AuthzResult::Granted : AuthzResult::Neutral;
    }
    AuthzResult result = AuthzResult::Neutral;
    if (!n.is_group()) {
        if (const AuthzAlias* alias = find_authz_alias(*ev.r.server, n.provider)) {
            result = alias->checker != nullptr ? alias->checker->check(ev.r, alias->parsed, alias->dir_config.get())
                                               : check_provider(alias->base_provider, alias->parsed, ev);
        } else {
            result = n.checker != nullptr ? n.checker->check(ev.r, n.parsed, nullptr)
                                          : check_provider(n.provider, n.parsed, ev);
        }
        if (result == AuthzResult::Pending) {
            return result;  // the evaluation stops here until the name is known
        }
    } else {
        // A denial settles an "all" group, a grant an "any" group.
        const AuthzResult decisive = n.op == AuthzNode::Op::And ? AuthzResult::Denied : AuthzResult::Granted;
        for (const auto& c : n.children) {
            AuthzResult cr = apply(*c, ev, n.op);
            if (cr == AuthzResult::GeneralError || cr == AuthzResult::Pending) {
                return cr;
            }
            result = combine(n.op, result, cr);
            if (cr == decisive) {
                break;
            }
        }
    }
    if (n.negate) {
        if (result == AuthzResult::Granted) {
            result = AuthzResult::Denied;
        } else if (result == AuthzResult::Denied || result == AuthzResult::DeniedNoUser) {
            result = AuthzResult::Neutral;
        }
    }
    return result;
}

const AuthzCoreDirConfig* conf_of(const Request& r) {
    return r.dir_config != nullptr ? r.dir_config->get<AuthzCoreDirConfig>(authz_core_module.index) : nullptr;
}

AuthzResult evaluate(Request& r, const AuthzNode& tree) {
    Evaluation ev{r, http::method_bit(modules::core::method_number(*r.server, r.method_name))};
    return apply(tree, ev, AuthzNode::Op::And);
}

void log_denied(const Request& r) {
    modules::core::log_request_error(r, LogLevel::Error, "authz_core", "SN01630",
                                     "client denied by server configuration: " + std::string(r.filename));
}

// No requirement anywhere: granted (httpd: "granted (no directives)"),
// unless an AuthType asks for authentication that nothing would use.
int without_requirements(const Request& r) {
    if (auth_type(r)) {
        modules::core::log_request_error(r, LogLevel::Error, "authz_core", "SN01627",
                                         "AuthType configured with no corresponding authorization directives");
        return 500;
    }
    return kOk;
}

// access_checker_ex, before any user is known (httpd's authorize_userless):
// a tree that needs a user declines, which sends the request to authentication.
int authorize_userless(Request& r, Services&) {
    const AuthzCoreDirConfig* authz = conf_of(r);
    if (authz == nullptr || !authz->section) {
        return without_requirements(r);
    }
    switch (evaluate(r, *authz->section)) {
        case AuthzResult::Granted: return kOk;
        case AuthzResult::DeniedNoUser: return kDeclined;
        case AuthzResult::GeneralError: return 500;
        case AuthzResult::Pending: return kAwaitHostName;
        case AuthzResult::Denied:
        case AuthzResult::Neutral: break;
    }
    log_denied(r);
    return 403;
}

// auth_checker, with the authenticated user (httpd's authorize_user).
int authorize_user(Request& r, Services& services) {
    const AuthzCoreDirConfig* authz = conf_of(r);
    if (authz == nullptr || !authz->section) {
        return without_requirements(r);
    }
    switch (evaluate(r, *authz->section)) {
        case AuthzResult::Granted: return kOk;
        case AuthzResult::GeneralError: return 500;
        case AuthzResult::Pending: return kAwaitHostName;
        case AuthzResult::DeniedNoUser:
            if (r.user) {
                services.note_auth_failure(r);
            }
            return 401;
        case AuthzResult::Denied:
        case AuthzResult::Neutral: break;
    }
    if (!auth_type(r)) {
        log_denied(r);
        return 403;
    }
    modules::core::log_request_error(r, LogLevel::Error, "authz_core", "SN01631",
                                     "user " + std::string(r.user.value_or("")) + ": authorization failure for \"" +
                                         std::string(r.uri) + "\": ");
    if (authz->forbidden_on_failure.value_or(false)) {
        return 403;
    }
    if (r.user) {
        services.note_auth_failure(r);
    }
    return 401;
}

}  // namespace

void authz_register_hooks(HookRegistry& hooks) {
    hooks.add(Phase::AccessCheckerEx, authorize_userless, HookOrder::Last);
    hooks.add(Phase::AuthChecker, authorize_user, HookOrder::Last);
}

}  // namespace sonora::modules::aaa
