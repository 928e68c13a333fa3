#pragma once
// The expression language of `<!--#if expr=... -->` under
// `SSILegacyExprParser on` (httpd 2.2's): strings with $var substitution,
// /regex/, = == != < <= > >=, !, &&, ||, parentheses and -A (URL access).
//
// Precedence is httpd's, which comes from how its parser grows the tree, not
// from a grammar: comparisons bind tighter than && and ||, while && and ||
// have one level and group to the right (`a && b || c` is `a && (b || c)`);
// `!` takes one string or one parenthesised group (`!$a = b` is an error).
// Adjacent strings join with one space. Evaluation short-circuits && and ||
// unless a regex is still to be evaluated (its $0..$9 are visible later).
// A regex that does not compile counts as true, as in httpd. Unlike httpd,
// an expression nested more than 2000 levels deep is refused ("internal
// parser error"), so that evaluation cannot exhaust the stack.

#include <string>
#include <string_view>

namespace sonora::modules::filters::ssi {

// What evaluation needs from the document being parsed.
class LegacyExprEnv {
public:
    virtual ~LegacyExprEnv() = default;
    // $var / ${var} substitution; undefined variables become "".
    virtual std::string expand(std::string_view raw) = 0;
    // Matches and records the captures for $0..$9: 1 on a match, 0 on none,
    // -1 when the pattern does not compile (logged by the callee).
    virtual int regex_match(std::string_view subject, std::string_view pattern) = 0;
    // -A: whether a subrequest for the URL would be allowed (status < 400).
    virtual bool uri_accessible(std::string_view uri) = 0;
};

struct LegacyExprResult {
    bool error = false;
    int value = 0;         // non-zero is true
    std::string log_id;    // on error: the Sonora id of httpd's message
    std::string message;   // on error: httpd's message, naming `filename`
};

LegacyExprResult eval_legacy_expr(std::string_view expr, std::string_view filename, LegacyExprEnv& env);

}  // namespace sonora::modules::filters::ssi
