#pragma once
// Evaluation of a parsed ap_expr against a request. The request layer
// implements Context; tests use a fake. Evaluation never throws: problems
// such as a non-integer operand of -eq are reported through
// Context::report_error() and make the comparison false, as Apache logs the
// error and treats the condition as not matching.
//
// Thread-safety: an Expr may be evaluated concurrently; each call keeps its
// own state (including regex back-references) on the stack.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "expr/ast.h"
#include "expr/expr_regex.h"
#include "expr/variables.h"

namespace sonora::expr {

struct FileInfo {
    enum class Type : std::uint8_t { Regular, Directory, Symlink, Other };
    Type type = Type::Regular;
    std::uint64_t size = 0;
    bool executable = false;  // any execute bit set
};

// What an expression may ask of the request. Methods return nullopt for
// "not present"; Apache turns absent values into empty strings.
class Context {
public:
    virtual ~Context() = default;

    // %{NAME} variables (REQUEST_URI, REMOTE_ADDR, TIME_YEAR, ...).
    virtual std::string variable(Var v) = 0;
    // req()/http() (vary = true, the caller should add the name to Vary),
    // req_novary() (vary = false) and the HTTP_* variables.
    virtual std::optional<std::string> request_header(std::string_view name, bool vary) = 0;
    virtual std::optional<std::string> response_header(std::string_view name) = 0;
    virtual std::optional<std::string> request_env(std::string_view name) = 0;
    virtual std::optional<std::string> note(std::string_view name) = 0;
    // -F (is_uri = false) and -U/-A (is_uri = true): would a subrequest for
    // this file or URI pass the server's access checks?
    virtual bool subrequest_allowed(std::string_view target, bool is_uri) = 0;

    // Defaults use the real process environment and filesystem.
    virtual std::optional<std::string> os_env(std::string_view name);
    // follow_symlinks = false for -L/-h (lstat semantics).
    virtual std::optional<FileInfo> stat_file(std::string_view path, bool follow_symlinks);
    virtual std::optional<std::string> read_file(std::string_view path);

    // Evaluation problems (bad integer, unreadable file); default ignores them.
    virtual void report_error(std::string_view message);
};

// Evaluates a condition. For a String-mode Expr, true when the string is non-empty.
// `refs` optionally supplies back-references from an enclosing match (e.g. a
// <LocationMatch>) and receives those of the last successful =~ match.
bool evaluate(const Expr& expr, Context& ctx, Backrefs* refs = nullptr);

// Evaluates a String-mode expression. For a Condition-mode Expr, returns
// "true" or "false".
std::string evaluate_string(const Expr& expr, Context& ctx, Backrefs* refs = nullptr);

// The -T test: false for "", "0", "off", "false" and "no" (any case).
bool is_true_string(std::string_view s);

}  // namespace sonora::expr
