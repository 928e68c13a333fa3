#pragma once
// httpd's mod_authz_core (loadable): authorization requirements.
//
// Directives (all in <Directory>/<Location>/<Files>/<If> and .htaccess with
// AllowOverride AuthConfig, except <AuthzProviderAlias>: server config only):
//   Require [not] provider args...     one requirement
//   <RequireAll> <RequireAny> <RequireNone>
//                                      nested groups of requirements
//   AuthMerging Off|And|Or             how this section's requirements combine
//                                      with the enclosing section's
//   AuthzSendForbiddenOnFailure On|Off
//   <AuthzProviderAlias provider alias "args">  a named provider with fixed arguments
//
// Providers. `Require all|env|method|expr` are this module's; ip, host,
// forward-dns and local exist only while mod_authz_host is loaded; user and
// valid-user while mod_authz_user is; group and file-group while
// mod_authz_groupfile is; an alias is known from its <AuthzProviderAlias>
// onwards (httpd's provider registry is filled in file order). Anything
// else: "Unknown Authz provider: NAME".
//
// At request time (authz_check.cpp) the tree is evaluated twice at most, as
// httpd's: at access_checker_ex without a user, where a requirement that
// needs one ("denied, no user") sends the request to authentication; then
// at auth_checker with the authenticated user, where a refusal is 401 (the
// challenge added by Services::note_auth_failure), or 403 with
// AuthzSendForbiddenOnFailure On or when no AuthType applies.
//
// The requirement tree. Each section's config holds one tree whose root is an
// implicit <RequireAny> (httpd's default section). Trees are normalised while
// read as httpd does: a group inside a group of the same kind is spliced into
// it, and a <RequireNone> inside a <RequireAll> becomes its children negated
// (De Morgan). A negative requirement inside an "any" group has no effect and
// is an error; a group whose requirements are all negative is reported when
// the configuration is checked (post_config), as httpd's check_config does.
//
// Merge rules (parent = base, child = add), httpd's exactly:
//   - the child set neither AuthMerging nor a requirement: the parent's record;
//   - the child's AuthMerging is Off or unset, or neither level has
//     requirements: the child's record (its requirements replace the parent's);
//   - otherwise (And / Or): both trees under a new group of that kind (marked
//     `merged`), or whichever one exists;
//   - AuthzSendForbiddenOnFailure: the child's if set, else the parent's.

#include "expr/subnet.h"

#include <sonora/module.h>
#include <sonora/request.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sonora::expr {
class Expr;
}

namespace sonora::modules::aaa {

extern Module authz_core_module;
void authz_register_hooks(HookRegistry& hooks);

// `Require expr`: the condition, and whether it reads %{REMOTE_USER} (then
// a false result may change once a user is known: httpd's "denied, no user").
struct RequireExpr {
    std::shared_ptr<const expr::Expr> expr;
    bool wants_user = false;
};

// `Require user|group ...`: the arguments are an ap_expr string, split into
// words per request; words that need no evaluation are split once here.
struct RequireWords {
    std::shared_ptr<const expr::Expr> expr;  // null when `words` is final
    std::vector<std::string> words;
};

// A provider's arguments as checked and pre-parsed at configuration time.
using AuthzArgs = std::variant<std::monostate,
                               bool,                       // all: granted
                               std::vector<std::string>,   // env, method, host, forward-dns
                               std::vector<expr::Subnet>,  // ip
                               RequireExpr,                // expr
                               RequireWords>;              // user, group, file-group

// httpd's authz_status, and Pending: a provider needs a DNS answer not looked
// up yet (the client's verified host name, a name's addresses); the
// evaluation stops there and the request runs again once it is known
// (kAwaitHostName).
enum class AuthzResult : std::uint8_t { Granted, Denied, DeniedNoUser, Neutral, GeneralError, Pending };

// An authorization provider usable in `Require NAME ...`.
struct AuthzProvider {
    std::string_view name;
    const Module* owner;  // the provider exists while this module is enabled
    // Checks the rest of the Require line; returns the error message or nullopt.
    CmdResult (*parse)(Cmd& cmd, std::string_view args, AuthzArgs& out);
    // Request time, from any worker thread. `alias_dir` holds the directives
    // of the <AuthzProviderAlias> being evaluated (null otherwise): where set,
    // they win over the request's. Null for this module's and mod_authz_host's
    // providers, which authz_check.cpp evaluates itself.
    AuthzResult (*check)(const request::Request& r, const AuthzArgs& args, const ConfigVector* alias_dir) = nullptr;
};

// The words of a RequireWords for this request (httpd: ap_expr_str_exec, then
// ap_getword_conf).
std::vector<std::string> require_words(const request::Request& r, const RequireWords& w);
// Parses a Require line's arguments as a RequireWords; error worded as httpd's.
CmdResult parse_require_words(std::string_view args, AuthzArgs& out);

// One node of the requirement tree: a requirement (provider set) or a group.
struct AuthzNode {
    enum class Op : std::uint8_t { And, Or };
    bool negate = false;
    // The methods this node applies to (httpd's section->limited): a
    // requirement's is its <Limit>'s, a group's the union of its children's.
    std::uint64_t methods = ~std::uint64_t{0};
    // Requirement.
    std::string provider;  // empty for a group
    std::string args;      // the rest of the Require line, as written
    AuthzArgs parsed;
    const AuthzProvider* checker = nullptr;  // the provider's, when it has a check function
    // Group.
    Op op = Op::Or;
    bool merged = false;   // made by AuthMerging, not written in the config
    std::vector<std::shared_ptr<AuthzNode>> children;

    bool is_group() const { return provider.empty(); }
    // httpd's way of naming the node in messages: "Require not ip 10.1",
    // "<RequireAll>", "AuthMerging Any".
    std::string describe() const;
};

enum class AuthMerging : std::uint8_t { Off, And, Or };

struct AuthzCoreDirConfig {
    std::shared_ptr<AuthzNode> section;  // null: no requirement here
    std::optional<AuthMerging> merging;
    std::optional<bool> forbidden_on_failure;
    // While reading only: the group that Require and nested groups go into.
    AuthzNode* open_group = nullptr;

    static AuthzCoreDirConfig merge(const AuthzCoreDirConfig& base, const AuthzCoreDirConfig& add);
};

struct AuthzAlias {
    std::string base_provider;
    std::string args;  // the one Require-Parameters argument
    AuthzArgs parsed;
    const AuthzProvider* checker = nullptr;  // the base provider's, when it has a check function
    std::shared_ptr<ConfigVector> dir_config;  // the directives inside the section
};

struct AuthzCoreServerConfig {
    // <AuthzProviderAlias> definitions. Global like httpd's provider registry:
    // kept on the main server (the section is not allowed in <VirtualHost>).
    std::map<std::string, AuthzAlias> aliases;
    // Problems found in complete groups, reported by post_config (httpd reports
    // them when the configuration is checked, without a line number).
    std::vector<std::string> check_errors;

    static AuthzCoreServerConfig merge(const AuthzCoreServerConfig& base, const AuthzCoreServerConfig& add);
};

// Looks up a provider among those whose module is enabled in this configuration.
const AuthzProvider* find_authz_provider(const Cmd& cmd, std::string_view name);

// The alias named `name` as the request's server knows it, or null.
const AuthzAlias* find_authz_alias(const Server& s, std::string_view name);

}  // namespace sonora::modules::aaa
