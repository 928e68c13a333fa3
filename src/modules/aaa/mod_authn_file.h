#pragma once
// httpd's mod_authn_file (loadable): the "file" authentication provider.
//
// Directive (sections, .htaccess AuthConfig):
//   AuthUserFile PATH              a password file as htpasswd writes it
//                                  (relative to ServerRoot); with
//                                  AuthBasicUseDigestAlgorithm MD5, an
//                                  htdigest file
// Merge rule: the child's if set, else the parent's.
//
// The provider (AuthBasicProvider file, the default) finds the user's first
// line (auth_files.h: parsed once per thread while the file is unchanged)
// and checks the password with password.h, remembering matches per thread.
// Errors are httpd's: no AuthUserFile (SN01619) or an unreadable one
// (SN01620) answer 500; an unknown user is "not found" (the next provider
// may know them); a wrong password is "denied".

#include "modules/aaa/mod_authn_core.h"

#include <sonora/module.h>

#include <optional>
#include <span>
#include <string>

namespace sonora::modules::aaa {

extern Module authn_file_module;

struct AuthnFileDirConfig {
    std::optional<std::string> user_file;  // absolute

    static AuthnFileDirConfig merge(const AuthnFileDirConfig& base, const AuthnFileDirConfig& add) {
        return AuthnFileDirConfig{add.user_file ? add.user_file : base.user_file};
    }
};

// The providers above, each owned by authn_file_module.
std::span<const AuthnProvider> authn_file_providers();

}  // namespace sonora::modules::aaa
