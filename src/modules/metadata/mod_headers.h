#pragma once
// httpd's mod_headers: Header and RequestHeader.
//
// When each list runs (as httpd's hooks and filters):
//   - RequestHeader entries edit the request's headers at fixups (last), so
//     the handler and the log see the result;
//   - Header entries edit the response head once it is complete
//     (Phase::HeadersOut): the `always` ones act on err_headers_out, the
//     others (`onsuccess`, the default) on headers_out; on an error page
//     the server made (Phase::ErrorHeadersOut) only the `always` ones run;
//   - entries marked `early` run at post_read_request instead, from the
//     server's (or virtual host's) own configuration: in a <Directory> or
//     an .htaccess they never run, as in httpd.
// Merge rule: the parent's entries, then the child's (lists append).

#include "core/regex.h"

#include <sonora/module.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sonora::expr {
class Expr;
}

namespace sonora::modules::metadata {

extern Module headers_module;

enum class HeaderAction : std::uint8_t { Add, Append, Merge, Set, SetIfEmpty, Unset, Echo, Edit, EditAll, Note };

// One piece of a value's format: literal text, or a %-tag (httpd's
// format_tag): D (time taken), t (request time), e (environment variable),
// s (SSL variable), l (load averages), i (idle workers), b (busy workers).
struct FormatPiece {
    char tag = 0;     // 0: literal text in `text`
    std::string text;  // the literal, or the tag's {argument}
};

struct HeaderEntry {
    HeaderAction action = HeaderAction::Set;
    std::string header;  // the field name (cut at a ':')
    // The value (edit, edit*: the replacement), as a format or, when written
    // expr=..., an expression.
    std::vector<FormatPiece> format;
    std::shared_ptr<const expr::Expr> value_expr;
    std::optional<Regex> regex;  // edit, edit*: what to replace; echo: the names to echo
    bool early = false;
    // env=[!]NAME: applies only when NAME is (not) set in the environment.
    std::string env;
    bool env_negated = false;
    std::shared_ptr<const expr::Expr> condition;  // expr=...
};

struct HeadersDirConfig {
    std::vector<HeaderEntry> request;    // RequestHeader
    std::vector<HeaderEntry> on_success; // Header [onsuccess]
    std::vector<HeaderEntry> always;     // Header always

    bool empty() const { return request.empty() && on_success.empty() && always.empty(); }
    static HeadersDirConfig merge(const HeadersDirConfig& base, const HeadersDirConfig& add);
};

// A format as httpd's parse_format_string reads it; an error message names an
// unknown %-tag.
std::optional<std::string> parse_header_format(std::string_view text, std::vector<FormatPiece>& out);

}  // namespace sonora::modules::metadata
