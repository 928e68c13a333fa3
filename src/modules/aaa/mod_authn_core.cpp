// httpd's mod_authn_core: AuthType, AuthName, <AuthnProviderAlias>, the
// provider registry, and the last-resort check_user_id hook.

#include "modules/aaa/mod_authn_core.h"
#include "modules/aaa/mod_authn_file.h"
#include "modules/aaa/provider_alias.h"

#include "config/engine.h"
#include "config/words.h"
#include "core/strings.h"
#include "expr/eval.h"
#include "expr/parser.h"
#include "expr/request_context.h"
#include "modules/core/request_log.h"

#include <sonora/hooks.h>

namespace sonora::modules::aaa {

namespace {

using Args = std::span<const std::string>;
using request::Request;

const AuthnProvider* find_base_provider(const Cmd& cmd, std::string_view name) {
    const auto& modules = cmd.engine().generation().modules;
    // Other provider modules join this list as they are written (authn_dbm, ...).
    for (const AuthnProvider& p : authn_file_providers()) {
        // Provider names are case-sensitive in httpd's registry.
        if (p.name == name && modules.enabled(*p.owner)) {
            return &p;
        }
    }
    return nullptr;
}

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

CmdResult set_auth_type(Cmd& cmd, Args a) {
    auto& conf = cmd.conf<AuthnCoreDirConfig>();
    if (auto err = string_expr(cmd, a[0], conf.auth_type_expr)) {
        return err;
    }
    conf.auth_type = a[0];
    return std::nullopt;
}

CmdResult set_auth_name(Cmd& cmd, Args a) {
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

    auto target = find_authn_provider(cmd, base);
    if (!target) {
        return "Unknown Authn provider: " + base;
    }
    // An alias of an alias runs the final provider with its own directives.
    aliases[alias] = AuthnAlias{base, target->provider, std::move(dir)};
    return std::nullopt;
}

// A String-mode expression's value; text without anything ap_expr would
// interpret is its own value, so the common literal costs no evaluation.
std::string evaluate(const Request& r, const std::string& text, const std::shared_ptr<const expr::Expr>& e) {
    if (!e || text.find_first_of("%$\\") == std::string::npos) {
        return text;
    }
    // Read-only here (providers see a const request): unlike httpd, an
    // AuthType or AuthName expression adds nothing to Vary.
    expr::RequestContext ctx(r, expr::RequestContext::DontVary{});
    return expr::evaluate_string(*e, ctx);
}

const AuthnCoreDirConfig* dir_conf(const Request& r) {
    return r.dir_config != nullptr ? r.dir_config->get<AuthnCoreDirConfig>(authn_core_module.index) : nullptr;
}

// check_user_id, last: reached when no authentication module took the request.
int authenticate_no_user(Request& r, Services&) {
    auto type = auth_type(r);
    if (!type) {
        return kOk;
    }
    core::log_request_error(r, LogLevel::Error, "authn_core", "SN01796",
                            "AuthType " + *type + " configured without corresponding module");
    return 500;
}

void register_hooks(HookRegistry& hooks) { hooks.add(Phase::CheckUserId, authenticate_no_user, HookOrder::Last); }

const DirectiveSpec kDirectives[] = {
    {"AuthType", ArgForm::Take1, kOrAuthCfg, 0, ConfLevel::Dir, set_auth_type,
     "the authentication scheme (Basic, Digest, Form...) or None"},
    {"AuthName", ArgForm::Take1, kOrAuthCfg, 0, ConfLevel::Dir, set_auth_name,
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

bool authn_provider_exists(const Cmd& cmd, std::string_view name) { return find_base_provider(cmd, name) != nullptr; }

std::optional<AuthnProviderRef> find_authn_provider(const Cmd& cmd, std::string_view name) {
    if (const AuthnProvider* p = find_base_provider(cmd, name)) {
        return AuthnProviderRef{std::string(name), p, nullptr};
    }
    const auto& aliases = global_conf(cmd).aliases;
    auto it = aliases.find(std::string(name));
    if (it == aliases.end() || it->second.provider == nullptr) {
        return std::nullopt;
    }
    return AuthnProviderRef{std::string(name), it->second.provider, it->second.dir_config};
}

std::optional<std::string> auth_type(const Request& r) {
    const AuthnCoreDirConfig* conf = dir_conf(r);
    if (conf == nullptr || !conf->auth_type) {
        return std::nullopt;
    }
    std::string type = evaluate(r, *conf->auth_type, conf->auth_type_expr);
    if (equals_nocase(type, "None")) {
        return std::nullopt;
    }
    return type;
}

std::optional<std::string> auth_name(const Request& r) {
    const AuthnCoreDirConfig* conf = dir_conf(r);
    if (conf == nullptr || !conf->auth_name) {
        return std::nullopt;
    }
    return evaluate(r, *conf->auth_name, conf->auth_name_expr);
}

Module authn_core_module{
    .name = "authn_core_module",
    .source = "mod_authn_core.c",
    .directives = kDirectives,
    .dir_config = config_ops<AuthnCoreDirConfig>(),
    .server_config = config_ops<AuthnCoreServerConfig>(),
    .register_hooks = register_hooks,
};

}  // namespace sonora::modules::aaa
