#pragma once
// mod_rewrite's engine: a rule list applied to the request, as httpd's
// apply_rewrite_list / apply_rewrite_rule / apply_rewrite_cond, with the
// substitution expander ($N, %N, %{VAR}, ${map:key|default}) and the URL
// helpers the two hooks (rewrite_hooks.cpp) share.
//
// As in httpd, the engine works on the request itself: r.filename holds the
// string being rewritten (the URL-path in server context, the file path in
// directory context) and r.query the query, so that %{REQUEST_FILENAME} and
// %{QUERY_STRING} read what the earlier rules made.

#include "modules/mappers/rewrite/rewrite_config.h"

#include <sonora/hooks.h>
#include <sonora/request.h>

#include <string>
#include <string_view>

namespace sonora::modules::mappers::rewrite {

// Notes the hooks share (httpd keeps T= and H= in r->notes likewise).
inline constexpr std::string_view kForcedTypeNote = "rewrite-forced-mimetype";
inline constexpr std::string_view kForcedHandlerNote = "rewrite-forced-handler";
inline constexpr std::string_view kUriReducedNote = "mod_rewrite_uri_reduced";
// END: no more rewriting for this request, its internal redirects included
// (httpd keeps it in the request pool, which they share).
inline constexpr std::string_view kEndNote = "rewrite_end";

// What a rule list did (httpd's ACTION_*): 0 when no substitution applied.
enum Action : int {
    kActionNone = 0,
    kActionNormal = 1,
    kActionNoEscape = 2,
    kActionStatus = 4,     // a rule set the status (F, G, R=4xx ...): answer r.status
    kActionStatusSet = 8,  // the engine refused the request (r.status)
};

// The per-hook context: the request, where the rules stand (the directory
// prefix in directory context, null in server context) and the trace level.
struct Engine {
    request::Request& r;
    Services& services;
    const RewriteServerConfig& sconf;
    const RewriteDirConfig& dconf;
    const std::string* perdir = nullptr;
    int trace = 0;  // the highest rewrite:traceN enabled for this request; 0 none

    // rewritelog(): one trace line at `level` in httpd's layout.
    void log(int level, std::string_view text) const;
    bool tracing(int level) const { return trace >= level; }
};

// The highest trace level (1..8) the request's LogLevel enables for rewrite.
int trace_level_for(const request::Request& r);

struct ListResult {
    int action = kActionNone;
    const RewriteRule* last_substitution = nullptr;  // httpd's lastsub, for prefix_stat
};
ListResult apply_rewrite_list(Engine& e, const RuleList& rules);

// The length of "scheme://" (or "scheme:") when `uri` is an absolute URI of a
// scheme httpd knows; 0 otherwise. `supports_query`: whether the scheme takes one.
unsigned absolute_uri_scheme(std::string_view uri, bool* supports_query = nullptr);
// httpd's escape_absolute_uri: the part after the host escaped as a path.
std::string escape_absolute_uri(std::string_view uri, unsigned scheme);
// ap_escape_uri.
std::string escape_uri(std::string_view s);
// httpd's subst_prefix_path: `input` with the directory `match` replaced by `subst`.
std::string subst_prefix_path(const Engine& e, std::string_view input, std::string_view match, std::string_view subst);
// httpd's prefix_stat: whether the first segment of `path` exists (and, unless
// `last` is null, may be trusted as a file path rather than a URL-path).
bool prefix_stat(const Engine& e, std::string_view path, const RewriteRule* last);
// The request's DocumentRoot (ap_document_root).
std::string_view document_root(const request::Request& r);
// Whether the query holds a control character or a space (ap_scan_vchar_obstext).
bool has_unsafe_query(const request::Request& r);
bool has_query(const request::Request& r);
void set_query(request::Request& r, std::string_view q);
void clear_query(request::Request& r);

}  // namespace sonora::modules::mappers::rewrite
