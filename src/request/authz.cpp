#include "request/authz.h"

#include "core/strings.h"
#include "expr/subnet.h"

namespace sonora::request {

namespace {

using modules::aaa::AuthzNode;

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

}  // namespace

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

}  // namespace sonora::request
