#pragma once
// httpd's mod_authn_core (loadable): the authentication type and realm of a
// section, and named aliases of authentication providers.
//
// Directives:
//   AuthType Basic|Digest|Form|None|...   (sections, .htaccess AuthConfig)
//   AuthName realm                        (sections, .htaccess AuthConfig)
//   <AuthnProviderAlias provider alias>   (server config only)
// AuthType and AuthName are ap_expr string expressions (httpd 2.4.13+), parsed
// here; "None" is kept as written and switches authentication off at request
// time.
//
// Merge rules: AuthType and AuthName each: the child's if set, else the
// parent's. Aliases live on the main server (the section is refused in
// <VirtualHost>); vhosts see the main server's.
//
// No authentication provider exists in Sonora yet (mod_authn_file & co. come
// later), so every <AuthnProviderAlias> currently fails, as in httpd without
// those modules, with "Unknown Authn provider: NAME".

#include <sonora/module.h>

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sonora::expr {
class Expr;
}

namespace sonora::modules::aaa {

extern Module authn_core_module;

struct AuthnCoreDirConfig {
    std::optional<std::string> auth_type;  // as written
    std::shared_ptr<const expr::Expr> auth_type_expr;
    std::optional<std::string> auth_name;  // as written
    std::shared_ptr<const expr::Expr> auth_name_expr;

    static AuthnCoreDirConfig merge(const AuthnCoreDirConfig& base, const AuthnCoreDirConfig& add);
};

struct AuthnAlias {
    std::string base_provider;
    std::shared_ptr<ConfigVector> dir_config;  // the directives inside the section
};

struct AuthnCoreServerConfig {
    std::map<std::string, AuthnAlias> aliases;

    static AuthnCoreServerConfig merge(const AuthnCoreServerConfig& base, const AuthnCoreServerConfig& add);
};

// An authentication provider usable by AuthBasicProvider / AuthDigestProvider.
struct AuthnProvider {
    std::string_view name;
    const Module* owner;  // exists while this module is enabled
};

// Whether a base (non-alias) authentication provider of that name belongs to a
// module enabled in this configuration. None exists until provider modules are
// written.
bool authn_provider_exists(const Cmd& cmd, std::string_view name);

}  // namespace sonora::modules::aaa
