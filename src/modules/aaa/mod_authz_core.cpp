// httpd's mod_authz_core: Require, <RequireAll>, <RequireAny>, <RequireNone>,
// AuthMerging, AuthzSendForbiddenOnFailure, <AuthzProviderAlias>, and the
// providers all, env, method and expr. Read into a requirement tree per
// section; authz_check.cpp evaluates it per request.
//
// Each node keeps the methods of the <Limit>/<LimitExcept> it was read in.

#include "modules/aaa/mod_authz_core.h"
#include "modules/aaa/provider_alias.h"

#include "config/engine.h"
#include "config/words.h"
#include "core/strings.h"
#include "expr/parser.h"
#include "http/method.h"
#include "modules/core/core_config.h"
#include "modules/aaa/mod_authz_groupfile.h"
#include "modules/aaa/mod_authz_host.h"
#include "modules/aaa/mod_authz_user.h"
#include "expr/eval.h"
#include "expr/request_context.h"

#include <algorithm>
#include <array>

namespace sonora::modules::aaa {

using config::Scope;

namespace {

using Args = std::span<const std::string>;

// ---- this module's providers -------------------------------------------------

CmdResult parse_all(Cmd&, std::string_view args, AuthzArgs& out) {
    if (equals_nocase(args, "granted")) {
        out = true;
    } else if (equals_nocase(args, "denied")) {
        out = false;
    } else {
        return std::string("Argument for 'Require all' must be 'granted' or 'denied'");
    }
    return std::nullopt;
}

CmdResult parse_env(Cmd&, std::string_view args, AuthzArgs& out) {
    out = config::split_words(args);
    return std::nullopt;
}

CmdResult parse_method(Cmd& cmd, std::string_view args, AuthzArgs& out) {
    std::vector<std::string> methods = config::split_words(args);
    for (const std::string& m : methods) {
        // Method names are case-sensitive, as in HTTP; httpd's own methods and
        // those an earlier <Limit> registered.
        if (modules::core::method_number(cmd.engine().generation().main, m) == http::kMethodInvalid) {
            return "Invalid Method '" + m + "'";
        }
    }
    out = std::move(methods);
    return std::nullopt;
}

CmdResult parse_expr(Cmd&, std::string_view args, AuthzArgs& out) {
    // Quotes around the whole expression are dropped, as httpd does.
    if (args.size() >= 2 && args.front() == '"' && args.back() == '"') {
        args = args.substr(1, args.size() - 2);
    }
    auto parsed = expr::parse(args, expr::ParseMode::Condition);
    if (!parsed.ok()) {
        return "Cannot parse expression in require line: " + parsed.error().message;
    }
    RequireExpr e;
    e.expr = std::make_shared<const expr::Expr>(std::move(parsed).value());
    for (std::size_t i = 0; i < e.expr->size(); ++i) {
        const expr::Node& n = e.expr->node(static_cast<expr::NodeId>(i));
        if (n.kind == expr::NodeKind::Var && n.op == static_cast<std::uint8_t>(expr::Var::RemoteUser)) {
            e.wants_user = true;
        }
    }
    out = std::move(e);
    return std::nullopt;
}

const AuthzProvider kCoreProviders[] = {
    {"all", &authz_core_module, parse_all},
    {"env", &authz_core_module, parse_env},
    {"method", &authz_core_module, parse_method},
    {"expr", &authz_core_module, parse_expr},
};

AuthzCoreServerConfig& global_conf(const Cmd& cmd) {
    return *cmd.engine().generation().main.module_config.get_mutable<AuthzCoreServerConfig>(
        authz_core_module.index);
}

const AuthzAlias* find_alias(const Cmd& cmd, const std::string& name) {
    return find_authz_alias(cmd.engine().generation().main, name);
}

// The group Require lines go into: the open <Require...> group, else the
// section's implicit <RequireAny>.
AuthzNode& current_group(AuthzCoreDirConfig& conf) {
    if (conf.open_group != nullptr) {
        return *conf.open_group;
    }
    if (!conf.section) {
        conf.section = std::make_shared<AuthzNode>();  // Op::Or, not negated
    }
    return *conf.section;
}

// A group applies to the methods any of its children applies to.
void add_child(AuthzNode& group, std::shared_ptr<AuthzNode> child) {
    group.methods = group.children.empty() ? child->methods : (group.methods | child->methods);
    group.children.push_back(std::move(child));
}

// ---- directives --------------------------------------------------------------

CmdResult require(Cmd& cmd, Args a) {
    std::string_view rest = a[0];
    std::string name = config::next_word(rest);
    bool negate = false;
    if (equals_nocase(name, "not")) {
        negate = true;
        name = config::next_word(rest);
    }
    auto node = std::make_shared<AuthzNode>();
    node->provider = name;
    node->negate = negate;
    node->args = std::string(rest);
    if (find_alias(cmd, name) == nullptr) {
        // An alias takes its arguments from its definition; a provider parses them here.
        const AuthzProvider* p = find_authz_provider(cmd, name);
        if (p == nullptr) {
            return "Unknown Authz provider: " + name;
        }
        if (auto err = p->parse(cmd, rest, node->parsed)) {
            return err;
        }
        node->checker = p->check != nullptr ? p : nullptr;
    }
    auto& conf = cmd.conf<AuthzCoreDirConfig>();
    AuthzNode& group = current_group(conf);
    if (negate && group.op == AuthzNode::Op::Or) {
        return "negative Require directive has no effect in " + group.describe() + " directive";
    }
    // Group bodies keep the enclosing <Limit>'s methods (only the engine's
    // `limited` flag is forced on there, to refuse what <Limit> refuses).
    node->methods = cmd.scope().methods;
    add_child(group, std::move(node));
    return std::nullopt;
}

bool has_positive_child(const AuthzNode& group) {
    return std::any_of(group.children.begin(), group.children.end(),
                       [](const auto& c) { return !c->negate; });
}

// Puts a complete group into its parent the way httpd's tree ends up:
// same-kind groups are spliced, a negated group of the other kind is replaced
// by its children negated (De Morgan), anything else becomes a child.
void link_group(AuthzNode& parent, std::shared_ptr<AuthzNode> group) {
    if (!group->negate && group->op == parent.op) {
        for (auto& c : group->children) {
            add_child(parent, std::move(c));
        }
    } else if (group->negate && group->op != parent.op) {
        for (auto& c : group->children) {
            c->negate = !c->negate;
            add_child(parent, std::move(c));
        }
    } else {
        add_child(parent, std::move(group));
    }
}

CmdResult require_group(Cmd& cmd, Args a) {
    const std::string_view name = cmd.spec().name;  // "<RequireAll"
    std::string_view text = trim(a[0]);
    std::size_t gt = text.rfind('>');
    if (gt == std::string_view::npos) {
        return std::string(name) + "> directive missing closing '>'";
    }
    if (!trim(text.substr(0, gt)).empty()) {
        return std::string(name) + "> directive doesn't take additional arguments";
    }
    auto group = std::make_shared<AuthzNode>();
    group->op = name == "<RequireAll" ? AuthzNode::Op::And : AuthzNode::Op::Or;
    group->negate = name == "<RequireNone";

    auto& conf = cmd.conf<AuthzCoreDirConfig>();
    AuthzNode* outer = conf.open_group;
    conf.open_group = group.get();
    struct Restore {
        AuthzCoreDirConfig& conf;
        AuthzNode* outer;
        ~Restore() { conf.open_group = outer; }
    } restore{conf, outer};

    Scope body = cmd.scope();
    body.parent = &cmd.scope();
    body.section = &cmd.node();
    body.override = kOrAuthCfg;
    body.limited = true;  // httpd: as if inside <Limit>, so <Files> & co. are refused
    cmd.engine().process(cmd.node().children, body);
    conf.open_group = outer;

    if (group->children.empty()) {
        return group->describe() + " directive contains no authorization directives";
    }
    AuthzNode& parent = outer != nullptr ? *outer : current_group(conf);
    if (group->negate && parent.op == AuthzNode::Op::Or) {
        return group->describe() + " directive has no effect in " + parent.describe() + " directive";
    }
    if (!has_positive_child(*group)) {
        global_conf(cmd).check_errors.push_back(group->describe() +
                                                " directive contains only negative authorization directives");
    }
    link_group(parent, std::move(group));
    return std::nullopt;
}

CmdResult auth_merging(Cmd& cmd, Args a) {
    auto& conf = cmd.conf<AuthzCoreDirConfig>();
    if (equals_nocase(a[0], "Off")) {
        conf.merging = AuthMerging::Off;
    } else if (equals_nocase(a[0], "And")) {
        conf.merging = AuthMerging::And;
    } else if (equals_nocase(a[0], "Or")) {
        conf.merging = AuthMerging::Or;
    } else {
        return std::string(cmd.spec().name) + " must be one of: Off | And | Or";
    }
    return std::nullopt;
}

CmdResult provider_alias(Cmd& cmd, Args a) {
    const std::string_view name = cmd.spec().name;
    ProviderAliasHead head;
    if (auto err = parse_provider_alias_head(cmd, a[0], head)) {
        return err;
    }
    const std::string& base = head.base;
    const std::string& alias = head.alias;
    const std::string args = head.rest.empty() ? std::string() : head.rest[0];
    const std::string extra = head.rest.size() > 1 ? head.rest[1] : std::string();
    if (!extra.empty()) {
        cmd.warn("Only the first Require argument (" + args + ") of " + std::string(name) +
                 "> is used: quote the whole argument list to pass " + args + " " + extra + "...");
    }
    auto dir = apply_provider_alias_body(cmd);

    AuthzAlias rec;
    rec.base_provider = base;
    rec.args = args;
    rec.dir_config = std::move(dir);
    if (find_alias(cmd, base) == nullptr) {
        const AuthzProvider* p = find_authz_provider(cmd, base);
        if (p == nullptr) {
            return "Unknown Authz provider: " + base;
        }
        if (auto err = p->parse(cmd, args, rec.parsed)) {
            return "Can't parse 'Require " + base + " " + args + "': " + *err;
        }
        rec.checker = p->check != nullptr ? p : nullptr;
    }
    // A later definition of the same alias replaces the earlier one, as in httpd.
    global_conf(cmd).aliases[alias] = std::move(rec);
    return std::nullopt;
}

const DirectiveSpec kDirectives[] = {
    {"<AuthzProviderAlias", ArgForm::RawArgs, kRsrcConf, kGlobalOnly, ConfLevel::Server, provider_alias,
     "a provider, a new name for it and its Require arguments; the section holds the "
     "directives it runs with"},
    {"Require", ArgForm::RawArgs, kOrAuthCfg, 0, ConfLevel::Dir, require,
     "[not] an authorization provider and its arguments: a condition for access"},
    {"<RequireAll", ArgForm::RawArgs, kOrAuthCfg, 0, ConfLevel::Dir, require_group,
     "a group of requirements that all must hold (negated ones must not fail)"},
    {"<RequireAny", ArgForm::RawArgs, kOrAuthCfg, 0, ConfLevel::Dir, require_group,
     "a group of requirements of which one must hold"},
    {"<RequireNone", ArgForm::RawArgs, kOrAuthCfg, 0, ConfLevel::Dir, require_group,
     "a group of requirements of which none may hold"},
    {"AuthMerging", ArgForm::Take1, kOrAuthCfg, 0, ConfLevel::Dir, auth_merging,
     "Off, And or Or: how this section's requirements combine with the enclosing section's"},
    {"AuthzSendForbiddenOnFailure", ArgForm::Flag, kOrAuthCfg, 0, ConfLevel::Dir,
     set_flag<&AuthzCoreDirConfig::forbidden_on_failure>,
     "On to answer 403 instead of 401 when an authenticated user is refused"},
};

CmdResult post_config(config::Generation& gen) {
    const auto* conf = gen.main.module_config.get<AuthzCoreServerConfig>(authz_core_module.index);
    if (conf != nullptr && !conf->check_errors.empty()) {
        return conf->check_errors.front();
    }
    return std::nullopt;
}

}  // namespace

std::string AuthzNode::describe() const {
    if (!is_group()) {
        return "Require " + std::string(negate ? "not " : "") + provider + " " + args;
    }
    std::string kind = op == Op::And ? (negate ? "NotAll" : "All") : (negate ? "None" : "Any");
    return merged ? "AuthMerging " + kind : "<Require" + kind + ">";
}

AuthzCoreDirConfig AuthzCoreDirConfig::merge(const AuthzCoreDirConfig& base, const AuthzCoreDirConfig& add) {
    AuthzCoreDirConfig out;
    if (!add.merging && !add.section && base.section) {
        // Only AuthzSendForbiddenOnFailure (if anything) was set here.
        out.section = base.section;
        out.merging = base.merging;
    } else if (!add.merging || *add.merging == AuthMerging::Off || !(base.section || add.section)) {
        out.section = add.section;
        out.merging = add.merging;
    } else {
        if (base.section && add.section) {
            auto both = std::make_shared<AuthzNode>();
            both->op = *add.merging == AuthMerging::And ? AuthzNode::Op::And : AuthzNode::Op::Or;
            both->merged = true;
            both->methods = base.section->methods | add.section->methods;
            both->children = {base.section, add.section};
            out.section = std::move(both);
        } else {
            out.section = base.section ? base.section : add.section;
        }
        out.merging = add.merging;
    }
    out.forbidden_on_failure = add.forbidden_on_failure ? add.forbidden_on_failure : base.forbidden_on_failure;
    return out;
}

AuthzCoreServerConfig AuthzCoreServerConfig::merge(const AuthzCoreServerConfig& base,
                                                   const AuthzCoreServerConfig& add) {
    AuthzCoreServerConfig out = add;
    for (const auto& [name, alias] : base.aliases) {
        out.aliases.try_emplace(name, alias);
    }
    return out;
}

const AuthzAlias* find_authz_alias(const Server& s, std::string_view name) {
    const auto* conf = s.module_config.get<AuthzCoreServerConfig>(authz_core_module.index);
    if (conf == nullptr) {
        return nullptr;
    }
    auto it = conf->aliases.find(std::string(name));
    return it == conf->aliases.end() ? nullptr : &it->second;
}

const AuthzProvider* find_authz_provider(const Cmd& cmd, std::string_view name) {
    const auto& modules = cmd.engine().generation().modules;
    auto search = [&](std::span<const AuthzProvider> list) -> const AuthzProvider* {
        for (const AuthzProvider& p : list) {
            // Provider names are case-sensitive in httpd's registry.
            if (p.name == name && modules.enabled(*p.owner)) {
                return &p;
            }
        }
        return nullptr;
    };
    // Other modules' providers join here as they are written (authz_owner, ...).
    for (std::span<const AuthzProvider> list :
         {std::span<const AuthzProvider>(kCoreProviders), authz_host_providers(), authz_user_providers(),
          authz_groupfile_providers()}) {
        if (const AuthzProvider* p = search(list)) {
            return p;
        }
    }
    return nullptr;
}

CmdResult parse_require_words(std::string_view args, AuthzArgs& out) {
    RequireWords w;
    if (args.find_first_of("%$\\") == std::string_view::npos) {
        w.words = config::split_words(args);
    } else {
        auto parsed = expr::parse(args, expr::ParseMode::String);
        if (!parsed.ok()) {
            return "Cannot parse expression in require line: " + parsed.error().message;
        }
        w.expr = std::make_shared<const expr::Expr>(std::move(parsed).value());
    }
    out = std::move(w);
    return std::nullopt;
}

std::vector<std::string> require_words(const request::Request& r, const RequireWords& w) {
    if (!w.expr) {
        return w.words;
    }
    // Providers see a const request: unlike httpd, expression-valued
    // Require words add nothing to Vary (Require expr does).
    expr::RequestContext ctx(r, expr::RequestContext::DontVary{});
    return config::split_words(expr::evaluate_string(*w.expr, ctx));
}

Module authz_core_module{
    .name = "authz_core_module",
    .source = "mod_authz_core.c",
    .directives = kDirectives,
    .dir_config = config_ops<AuthzCoreDirConfig>(),
    .server_config = config_ops<AuthzCoreServerConfig>(),
    .post_config = post_config,
    .register_hooks = authz_register_hooks,
};

}  // namespace sonora::modules::aaa
