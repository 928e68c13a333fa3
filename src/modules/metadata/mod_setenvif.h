#pragma once
// httpd's mod_setenvif: environment variables set from request attributes
// (SetEnvIf, SetEnvIfNoCase, BrowserMatch, BrowserMatchNoCase) or from an
// ap_expr condition (SetEnvIfExpr).
//
// Conditions written outside any section go to the per-server config, those
// inside <Directory>/<Location>/<Files>/<If> to the per-directory config, as in
// httpd. Merge rule for both levels: the parent's conditions, then the
// child's (all of them are evaluated in that order at request time).

#include "core/regex.h"
#include "expr/ast.h"

#include <sonora/module.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sonora::modules::metadata {

extern Module setenvif_module;

struct SetEnvIfCondition {
    // What the pattern is matched against.
    enum class Subject : std::uint8_t {
        Header,  // a request header (named, or matched by name_regex)
        RemoteAddr,
        RemoteHost,
        RequestUri,
        RequestMethod,
        RequestProtocol,
        ServerAddr,
        Expr,  // SetEnvIfExpr
    };
    Subject subject = Subject::Header;
    std::string name;                 // attribute as written (empty for Expr)
    std::optional<Regex> name_regex;  // when `name` is not a plain header name
    std::string pattern;              // as written
    std::optional<Regex> regex;
    bool nocase = false;
    std::string expr_text;
    std::shared_ptr<const expr::Expr> expr;
    // Variables to set (value) or to unset (nullopt, written "!name"); names
    // compare case-insensitively, a later setting of the same name replaces.
    std::vector<std::pair<std::string, std::optional<std::string>>> actions;
};

struct SetEnvIfConfig {
    std::vector<SetEnvIfCondition> conditions;

    static SetEnvIfConfig merge(const SetEnvIfConfig& base, const SetEnvIfConfig& add);
};

}  // namespace sonora::modules::metadata
