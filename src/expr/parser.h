#pragma once
// ap_expr parser (httpd docs "expr.html"). Parses and checks an expression
// when the configuration is read: unknown variables, functions and operators,
// bad regexes (compiled here with PCRE2) and bad -ipmatch/-R subnets are all
// parse errors, worded as Apache words them.
//
// Thread-safety: parse() is reentrant; the returned Expr is immutable.

#include <string_view>

#include "expr/ast.h"
#include "expr/result.h"

namespace sonora::expr {

struct ParseOptions {
    ParseMode mode = ParseMode::Condition;
    // Restricted contexts (.htaccess-style) refuse the functions that read
    // files: file() and filesize().
    bool restricted = false;
    // mod_include's conditions also know v(NAME), the SSI variable NAME (as
    // reqenv(): Context::request_env answers both).
    bool ssi_functions = false;
};

// Parses `text`. On failure the Error message is the bare ap_expr wording,
// e.g. "syntax error, unexpected $end" or "Variable 'FOO' does not exist";
// <If> callers prefix it with "Cannot parse condition clause: ". Never throws
// (allocation failure aside).
Result<Expr, Error> parse(std::string_view text, ParseMode mode);
Result<Expr, Error> parse(std::string_view text, const ParseOptions& options);

}  // namespace sonora::expr
