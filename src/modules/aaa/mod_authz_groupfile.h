#pragma once
// httpd's mod_authz_groupfile (loadable): group membership from a text file.
//
// Directive (sections, .htaccess AuthConfig):
//   AuthGroupFile PATH     lines "group: user user ..." (relative to ServerRoot)
// Merge rule: the child's if set, else the parent's.
//
// Providers for `Require` (mod_authz_core):
//   Require group NAME...  the user is listed under one of these groups (an
//                          ap_expr string, split into words per request)
//   Require file-group     the user is in the group that owns the file;
//                          httpd learns that group from mod_authz_owner, and
//                          without it (Sonora has none) always refuses: so
//                          does Sonora
// Without a user both answer "denied, no user". No AuthGroupFile (SN01664),
// an unreadable one (SN01665) or a user in no group (SN01666) refuse, as httpd.
// The file is parsed once per thread while it is unchanged (auth_files.h).

#include "modules/aaa/mod_authz_core.h"

#include <sonora/module.h>

#include <optional>
#include <span>
#include <string>

namespace sonora::modules::aaa {

extern Module authz_groupfile_module;

struct AuthzGroupfileDirConfig {
    std::optional<std::string> group_file;  // absolute

    static AuthzGroupfileDirConfig merge(const AuthzGroupfileDirConfig& base, const AuthzGroupfileDirConfig& add) {
        return AuthzGroupfileDirConfig{add.group_file ? add.group_file : base.group_file};
    }
};

std::span<const AuthzProvider> authz_groupfile_providers();

}  // namespace sonora::modules::aaa
