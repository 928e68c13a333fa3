// httpd's mod_authz_user: Require user and Require valid-user.

#include "modules/aaa/mod_authz_user.h"

#include "modules/core/request_log.h"

#include <algorithm>

namespace sonora::modules::aaa {

namespace {

using request::Request;

CmdResult parse_none(Cmd&, std::string_view, AuthzArgs&) { return std::nullopt; }

CmdResult parse_users(Cmd&, std::string_view args, AuthzArgs& out) { return parse_require_words(args, out); }

AuthzResult check_valid_user(const Request& r, const AuthzArgs&, const ConfigVector*) {
    return r.user ? AuthzResult::Granted : AuthzResult::DeniedNoUser;
}

AuthzResult check_user(const Request& r, const AuthzArgs& args, const ConfigVector*) {
    if (!r.user) {
        return AuthzResult::DeniedNoUser;
    }
    if (const auto* w = std::get_if<RequireWords>(&args)) {
        std::vector<std::string> evaluated;
        const auto& words = w->expr ? (evaluated = require_words(r, *w)) : w->words;
        // User names compare exactly, as httpd's strcmp.
        if (std::find(words.begin(), words.end(), *r.user) != words.end()) {
            return AuthzResult::Granted;
        }
    }
    core::log_request_error(r, LogLevel::Debug, "authz_user", "SN01663",
                            "access to " + std::string(r.uri) + " failed, reason: user '" + std::string(*r.user) +
                                "' does not meet 'require'ments for user to be allowed access");
    return AuthzResult::Denied;
}

const AuthzProvider kProviders[] = {
    {"valid-user", &authz_user_module, parse_none, check_valid_user},
    {"user", &authz_user_module, parse_users, check_user},
};

}  // namespace

std::span<const AuthzProvider> authz_user_providers() { return kProviders; }

Module authz_user_module{
    .name = "authz_user_module",
    .source = "mod_authz_user.c",
};

}  // namespace sonora::modules::aaa
