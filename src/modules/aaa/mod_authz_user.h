#pragma once
// httpd's mod_authz_user (loadable): the requirements on the authenticated
// user. No directives; while it is loaded, `Require` (mod_authz_core) accepts:
//   Require valid-user          any authenticated user
//   Require user NAME...        one of these users (an ap_expr string, split
//                               into words per request)
// Without a user both answer "denied, no user", which makes mod_authz_core
// ask for authentication.

#include "modules/aaa/mod_authz_core.h"

#include <sonora/module.h>

#include <span>

namespace sonora::modules::aaa {

extern Module authz_user_module;

// The providers above, each owned by authz_user_module.
std::span<const AuthzProvider> authz_user_providers();

}  // namespace sonora::modules::aaa
