#pragma once
// httpd's mod_auth_basic (loadable): HTTP Basic authentication.
//
// Directives (sections, .htaccess AuthConfig):
//   AuthBasicProvider name...            providers (or <AuthnProviderAlias>
//                                        names) asked in order; default "file"
//   AuthBasicAuthoritative On|Off        Off: a user no provider knows is
//                                        left to the next authentication module
//   AuthBasicFake off|user [password]    fixups put these credentials (ap_expr
//                                        strings; password "password" when
//                                        omitted) in the request's Authorization
//   AuthBasicUseDigestAlgorithm MD5|Off  MD5: compare MD5(user:realm:password)
//                                        with the provider's stored digest
//                                        (an htdigest file), not the password
// Merge rules: each directive the child sets replaces the parent's (a
// provider list replaces the parent's whole; several AuthBasicProvider lines
// in one section add up).
//
// At request time (check_user_id, when AuthType is Basic): no AuthName is a
// 500 (SN01615); no or another scheme's Authorization is 401 with the
// challenge `WWW-Authenticate: Basic realm="NAME"` (SN01614 for the wrong
// scheme); otherwise the providers are asked in order until one knows the
// user. Request::user holds the name sent from then on, so the access log
// names whom a 401 refused, as httpd's does.

#include "modules/aaa/mod_authn_core.h"

#include <sonora/module.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sonora::expr {
class Expr;
}

namespace sonora::modules::aaa {

extern Module auth_basic_module;

struct AuthBasicDirConfig {
    std::optional<std::vector<AuthnProviderRef>> providers;
    std::optional<bool> authoritative;
    std::optional<bool> use_digest_md5;
    // AuthBasicFake: set with null expressions for "off".
    bool fake_set = false;
    std::string fake_user_text, fake_pass_text;
    std::shared_ptr<const expr::Expr> fake_user, fake_pass;

    static AuthBasicDirConfig merge(const AuthBasicDirConfig& base, const AuthBasicDirConfig& add);
};

// What httpd's ap_pbase64decode makes of an Authorization value: the longest
// prefix of base-64 digits decoded, up to the first NUL of the result.
std::string decode_basic_credentials(std::string_view encoded);

}  // namespace sonora::modules::aaa
