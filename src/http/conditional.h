#pragma once
// Request preconditions (RFC 9110 §13) for a selected representation, as
// Apache 2.4's ap_meets_conditions() decides them for static files, and the
// If-Range check that gates Range processing.
//
// Apache differs from RFC 9110 §13.2.2 in two ways that are kept here on
// purpose (both recorded against httpd 2.4.71):
//  * If-Unmodified-Since is evaluated even when If-Match is present, so a
//    matching If-Match with an older If-Unmodified-Since still yields 412;
//  * If-Modified-Since is evaluated even when If-None-Match matched: the
//    response is 304 only if the date test also says "not modified" (an
//    unparseable or future If-Modified-Since then turns the 304 into 200).
//
// All times are whole seconds since the epoch. `last_modified` is the
// resource mtime; it is clamped to `request_time` before any comparison,
// exactly as the Last-Modified header is (a file dated in the future is
// treated as modified "now").
//
// Header values are the field values with surrounding whitespace already
// trimmed; an absent header is std::nullopt (an empty value is present).
//
// Pure functions: no allocation, no I/O, reentrant.

#include <cstdint>
#include <optional>
#include <string_view>

namespace sonora::http {

enum class Precondition : std::uint8_t {
    Proceed,             // serve normally (200/206, or whatever the handler does)
    NotModified,         // 304
    PreconditionFailed,  // 412
};

struct ConditionalHeaders {
    std::optional<std::string_view> if_match;
    std::optional<std::string_view> if_unmodified_since;
    std::optional<std::string_view> if_none_match;
    std::optional<std::string_view> if_modified_since;
};

struct Validators {
    // The ETag header value the response carries ("..." or W/"..."), empty
    // when no ETag is sent (FileETag None).
    std::string_view etag;
    std::int64_t last_modified = 0;
};

// Evaluates If-Match, If-Unmodified-Since, If-None-Match and
// If-Modified-Since, in that order:
//  1. If-Match: a value starting with '*' passes; otherwise the strong
//     comparison against a comma-separated list (quoted strings may contain
//     commas) must find the resource's tag, else 412. A weak or absent
//     resource tag never matches.
//  2. If-Unmodified-Since: a parseable date earlier than the mtime gives 412;
//     an unparseable one is ignored.
//  3. If-None-Match: '*' or a list hit (weak comparison for GET and HEAD,
//     strong for any other method). A hit gives 412 for non-GET/HEAD;
//     for GET/HEAD it makes the response a 304 candidate. A present header
//     without a hit means Proceed (If-Modified-Since is then not consulted).
//  4. If-Modified-Since (GET/HEAD only): "not modified" when the date parses
//     and mtime <= date <= request_time.
// `method` is the request method token, compared case-sensitively.
Precondition evaluate_preconditions(std::string_view method, const ConditionalHeaders& headers,
                                    const Validators& resource, std::int64_t request_time);

// If-Range (RFC 9110 §13.1.5) as Apache evaluates it. Returns true when the
// Range header must be honoured, false when the full representation must be
// sent (200). A value starting with '"' must equal the resource's strong
// ETag byte for byte (W/ tags, lists and '*' never match). Otherwise it is an
// HTTP date that must equal the mtime to the second, and the mtime must be
// at least 60 seconds older than the request (whole seconds), the strength
// window Apache applies to dates.
bool if_range_matches(std::string_view if_range, const Validators& resource,
                      std::int64_t request_time);

// Entity-tag comparison (RFC 9110 §8.8.3.2). Strong: neither is weak and
// they are identical. Weak: identical after dropping any W/ prefix.
bool etag_strong_equal(std::string_view a, std::string_view b);
bool etag_weak_equal(std::string_view a, std::string_view b);

// True when the comma-separated If-Match / If-None-Match list contains a tag
// equal to `etag` under the chosen comparison. Members are trimmed of spaces
// and tabs; empty members are skipped; commas inside quotes do not split.
bool etag_list_contains(std::string_view list, std::string_view etag, bool weak);

}  // namespace sonora::http
