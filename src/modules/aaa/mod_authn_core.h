#pragma once
// httpd's mod_authn_core (loadable): the authentication type and realm of a
// section, named aliases of authentication providers, and the registry of
// those providers.
//
// Directives:
//   AuthType Basic|Digest|Form|None|...   (sections, .htaccess AuthConfig)
//   AuthName realm                        (sections, .htaccess AuthConfig)
//   <AuthnProviderAlias provider alias>   (server config only)
// AuthType and AuthName are ap_expr string expressions (httpd 2.4.13+),
// parsed here and evaluated per request (auth_type(), auth_name()); a type
// that evaluates to "None" (any case) means no authentication.
//
// Merge rules: AuthType and AuthName each: the child's if set, else the
// parent's. Aliases live on the main server (the section is refused in
// <VirtualHost>); vhosts see the main server's.
//
// Providers: "file" (mod_authn_file) while that module is enabled. An alias
// names a provider (or an earlier alias) and holds directives that replace the
// request's own while the provider runs (an AuthUserFile of its own).
//
// At request time the module's check_user_id hook runs last: with no AuthType
// it lets the request through unauthenticated (the driver then refuses it
// for lack of a user); with an AuthType no loaded module handles it answers
// 500 (SN01796), as httpd.

#include <sonora/module.h>
#include <sonora/request.h>

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

// httpd's authn_status.
enum class AuthnStatus : std::uint8_t { Denied, Granted, UserNotFound, GeneralError };

// An authentication provider usable by AuthBasicProvider (and aliases).
// `alias_dir` is the directives of the <AuthnProviderAlias> the provider runs
// for (null when named directly): where set, they win over the request's.
// Both functions may be called from any worker thread.
struct AuthnProvider {
    std::string_view name;
    const Module* owner;  // exists while this module is enabled
    AuthnStatus (*check_password)(const request::Request& r, const ConfigVector* alias_dir, std::string_view user,
                                  std::string_view password);
    // The stored MD5 of "user:realm:password" as lowercase hex
    // (AuthBasicUseDigestAlgorithm MD5), into `hash`.
    AuthnStatus (*get_realm_hash)(const request::Request& r, const ConfigVector* alias_dir, std::string_view user,
                                  std::string_view realm, std::string& hash);
};

struct AuthnAlias {
    std::string base_provider;
    const AuthnProvider* provider = nullptr;  // the provider the alias finally names
    std::shared_ptr<ConfigVector> dir_config;  // the directives inside the section
};

struct AuthnCoreServerConfig {
    std::map<std::string, AuthnAlias> aliases;

    static AuthnCoreServerConfig merge(const AuthnCoreServerConfig& base, const AuthnCoreServerConfig& add);
};

// A provider as a directive names it: a base provider, or an alias of one.
struct AuthnProviderRef {
    std::string name;
    const AuthnProvider* provider = nullptr;
    std::shared_ptr<const ConfigVector> alias_dir;  // null for a base provider
};

// The provider or alias `name` as this configuration knows it at this point
// of reading (aliases are known from their section onwards), or nullopt.
std::optional<AuthnProviderRef> find_authn_provider(const Cmd& cmd, std::string_view name);

// Whether a base (non-alias) authentication provider of that name belongs to a
// module enabled in this configuration.
bool authn_provider_exists(const Cmd& cmd, std::string_view name);

// httpd's ap_auth_type: the request's AuthType, evaluated; nullopt when
// unset, "None", or authn_core is not enabled.
std::optional<std::string> auth_type(const request::Request& r);
// httpd's ap_auth_name: the request's AuthName, evaluated; nullopt when unset.
std::optional<std::string> auth_name(const request::Request& r);

}  // namespace sonora::modules::aaa
