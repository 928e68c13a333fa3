#pragma once
// httpd's mod_alias: mapping URL-paths to file-system paths (Alias,
// ScriptAlias and their *Match forms) and redirects (Redirect, RedirectMatch,
// RedirectTemp, RedirectPermanent).
//
// Merge rules (child = the more specific level), as httpd's:
//   - per server: aliases and redirects are lists; a virtual host's entries
//     come first, then the main server's (the first match wins at request time);
//   - per directory: redirects likewise, the child's entries before the
//     parent's; the one-argument Alias/ScriptAlias and Redirect forms (inside
//     <Location>), RedirectRelative and AliasPreservePath: the child's if set,
//     else the parent's.

#include "core/regex.h"
#include "modules/core/no_cgi.h"
#include "expr/ast.h"

#include <sonora/module.h>

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sonora::modules::mappers {

extern Module alias_module;
void alias_register_hooks(HookRegistry& hooks);
// Alias/ScriptAlias mapping and the CGI refusal (mod_alias_map.cpp).
void alias_register_map_hooks(HookRegistry& hooks);

using core::kCgiScriptHandler;

// Alias, ScriptAlias, AliasMatch, ScriptAliasMatch.
struct AliasEntry {
    std::string fake;            // URL-path, or the pattern of the *Match forms
    std::string real;            // file-system path (may hold $1.. in *Match forms)
    std::optional<Regex> regex;  // *Match forms
    std::string handler;         // "cgi-script" for ScriptAlias*, else empty
};

// Redirect, RedirectMatch, RedirectTemp, RedirectPermanent (two/three-argument forms).
struct RedirectEntry {
    std::string fake;                // URL-path, or the pattern of RedirectMatch
    std::optional<std::string> url;  // absent for non-3xx statuses (gone, 404 ...)
    std::optional<Regex> regex;      // RedirectMatch
    int status = 302;
};

// One-argument Alias/ScriptAlias inside <Location>: the target is an ap_expr string.
struct LocationAlias {
    std::string fake;  // the enclosing section's path
    std::string text;  // the expression as written
    std::shared_ptr<const expr::Expr> target;
    std::string handler;
    std::string root;  // ServerRoot with a trailing '/', for a relative result
};

// One-argument Redirect inside a section: status and optional target expression.
struct LocationRedirect {
    int status = 302;
    std::string text;  // empty when the status takes no URL (gone, 4xx ...)
    std::shared_ptr<const expr::Expr> target;
};

struct AliasServerConfig {
    std::vector<AliasEntry> aliases;
    std::vector<RedirectEntry> redirects;

    static AliasServerConfig merge(const AliasServerConfig& base, const AliasServerConfig& add);
};

struct AliasDirConfig {
    std::vector<RedirectEntry> redirects;
    std::optional<LocationAlias> alias;
    std::optional<LocationRedirect> redirect;
    std::optional<bool> allow_relative;  // RedirectRelative
    std::optional<bool> preserve_path;   // AliasPreservePath

    static AliasDirConfig merge(const AliasDirConfig& base, const AliasDirConfig& add);
};

// httpd's prefix test for Alias/Redirect: `alias` matches a leading part of
// `uri` ending at a segment boundary, a '/' in `alias` matching a run of '/'
// in `uri`. Returns the length of `uri` matched, 0 when it does not match.
std::size_t alias_prefix_match(std::string_view uri, std::string_view alias);

// httpd's ap_is_url: a scheme of letters, digits, '+', '-', '.' and a colon.
bool is_url(std::string_view s);

// ---- request time (mod_alias_redirect.cpp) ----

// httpd's ap_os_escape_path (partial form): %xx (lower-case hex) for every
// byte outside letters, digits and $-_.+!*'(),:;@&=/~.
std::string escape_path(std::string_view path);


// What httpd does to a RedirectMatch result or a <Location> Redirect
// expression: escape the URL up to its query, keep query and fragment as
// written, and drop a port that is the scheme's default.
std::string escape_redirect_url(std::string_view url);

// httpd's try_alias_list for redirects: the first entry matching `uri`
// gives the target (empty for statuses without URL) and its status.
struct RedirectHit {
    std::string target;
    int status = 302;
};
std::optional<RedirectHit> find_redirect(std::span<const RedirectEntry> entries, std::string_view uri);

}  // namespace sonora::modules::mappers
