// httpd's mod_authn_core: AuthType, AuthName, <AuthnProviderAlias>. Parsed,
// validated and stored; authentication itself comes with the auth hooks.

#include "modules/aaa/mod_authn_core.h"
#include "modules/aaa/provider_alias.h"

#include "config/engine.h"
#include "config/words.h"
#include "core/strings.h"
#include "expr/parser.h"

namespace sonora::modules::aaa {


namespace {

using Args = std::span<const std::string>;

// Provider modules add their entries here as they are written.
const std::span<const AuthnProvider> kProviders{};

AuthnCoreServerConfig& global_conf(const Cmd& cmd) {
    return *cmd.engine().generation().main.module_config.get_mutable<AuthnCoreServerConfig>(
        authn_core_module.index);
}

CmdResult string_expr(Cmd& cmd, const std::string& text, std::shared_ptr<const expr::Expr>& out) {
    auto parsed = expr::parse(text, expr::ParseMode::String);
    if (!parsed.ok()) {
        return "Cannot parse expression '" + text + "' in " + std::string(cmd.spec().name) + ": " +
               parsed.error().message;
    }
    out = std::make_shared<const expr::Expr>(std::move(parsed).value());
    return std::nullopt;
}

CmdResult auth_type(Cmd& cmd, Args a) {
    auto& conf = cmd.conf<AuthnCoreDirConfig>();
    if (auto err = string_expr(cmd, a[0], conf.auth_type_expr)) {
        return err;
    }
    conf.auth_type = a[0];
    return std::nullopt;
}

CmdResult auth_name(Cmd& cmd, Args a) {
    auto& conf = cmd.conf<AuthnCoreDirConfig>();
    if (auto err = string_expr(cmd, a[0], conf.auth_name_expr)) {
        return err;
    }
    conf.auth_name = a[0];
    return std::nullopt;
}

CmdResult provider_alias(Cmd& cmd, Args a) {
    ProviderAliasHead head;
    if (auto err = parse_provider_alias_head(cmd, a[0], head)) {
        return err;
    }
    const std::string& base = head.base;
    const std::string& alias = head.alias;
    if (equals_nocase(base, alias)) {
        return std::string("The alias provider name must be different from the base provider name.");
    }
    auto& aliases = global_conf(cmd).aliases;
    if (aliases.contains(alias) || authn_provider_exists(cmd, alias)) {
        return "The alias provider " + alias +
               " has already be registered previously as either a base provider or an alias provider.";
    }
    auto dir = apply_provider_alias_body(cmd);

    if (!aliases.contains(base) && !authn_provider_exists(cmd, base)) {
        return "Unknown Authn provider: " + base;
    }
    aliases[alias] = AuthnAlias{base, std::move(dir)};
    return std::nullopt;
}

const DirectiveSpec kDirectives[] = {
    {"AuthType", ArgForm::Take1, kOrAuthCfg, 0, ConfLevel::Dir, auth_type,
     "the authentication scheme (Basic, Digest, Form...) or None"},
    {"AuthName", ArgForm::Take1, kOrAuthCfg, 0, ConfLevel::Dir, auth_name,
     "the realm shown to users when credentials are asked for"},
    {"<AuthnProviderAlias", ArgForm::RawArgs, kRsrcConf, kGlobalOnly, ConfLevel::Server, provider_alias,
     "a provider and a new name for it; the section holds the directives it runs with"},
};

}  // namespace

AuthnCoreDirConfig AuthnCoreDirConfig::merge(const AuthnCoreDirConfig& base, const AuthnCoreDirConfig& add) {
    AuthnCoreDirConfig out;
    out.auth_type = add.auth_type ? add.auth_type : base.auth_type;
    out.auth_type_expr = add.auth_type ? add.auth_type_expr : base.auth_type_expr;
    out.auth_name = add.auth_name ? add.auth_name : base.auth_name;
    out.auth_name_expr = add.auth_name ? add.auth_name_expr : base.auth_name_expr;
    return out;
}

AuthnCoreServerConfig AuthnCoreServerConfig::merge(const AuthnCoreServerConfig& base,
                                                   const AuthnCoreServerConfig& add) {
    AuthnCoreServerConfig out = add;
    for (const auto& [name, alias] : base.aliases) {
        out.aliases.try_emplace(name, alias);
    }
    return out;
}

bool authn_provider_exists(const Cmd& cmd, std::string_view name) {
    const auto& modules = cmd.engine().generation().modules;
    for (const AuthnProvider& p : kProviders) {
        if (p.name == name && modules.enabled(*p.owner)) {
            return true;
        }
    }
    return false;
}

Module authn_core_module{
    .name = "authn_core_module",
    .source = "mod_authn_core.c",
    .directives = kDirectives,
    .dir_config = config_ops<AuthnCoreDirConfig>(),
    .server_config = config_ops<AuthnCoreServerConfig>(),
};

}  // namespace sonora::modules::aaa
