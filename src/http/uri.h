#pragma once
// Request-target helpers: splitting, path normalisation and percent-decoding with
// Apache 2.4's semantics. Each reports problems instead of repairing them.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/request_line.h"

namespace sonora::http {

// The parts of a request target. Views into the target; absent parts are empty.
struct TargetParts {
    std::string_view scheme;     // absolute-form only, e.g. "http"
    std::string_view authority;  // absolute-form and authority-form
    std::string_view path;       // origin/absolute-form; "*" for asterisk-form
    std::string_view query;      // without the '?'
    bool has_query = false;      // "?" present (possibly with an empty query)
};

// Splits `target` according to `form` (from the request line). Never fails: the
// request-line parser already refused targets Apache refuses.
TargetParts split_target(std::string_view target, TargetForm form);

enum class PathStatus : std::uint8_t {
    kOk,
    kNotAbsolute,   // does not start with '/'                          -> 400
    kBadEscape,     // '%' not followed by two hex digits                -> 400
    kAboveRoot,     // ".." (plain or encoded) climbs above "/"          -> 400
    kEncodedSlash,  // "%2F" while AllowEncodedSlashes is Off            -> 404
    kEncodedNul,    // "%00"                                             -> 404
    kNoSpace,       // the output buffer is smaller than the input
};

// The status Apache answers for `s` (0 for kOk, 500 for kNoSpace).
std::uint16_t http_status(PathStatus s);

struct PathResult {
    PathStatus status = PathStatus::kOk;
    std::size_t length = 0;  // bytes written to the output on kOk
};

struct NormalizeOptions {
    bool merge_slashes = true;  // MergeSlashes (default On): "//" -> "/"
};

// Apache's ap_normalize_path with decoding of unreserved characters: decodes %XX when
// XX is ALPHA / DIGIT / "-" / "." / "_" / "~" (so "%2e%2e" is ".."), keeps other
// escapes verbatim, validates every escape, removes "." and ".." segments, and merges
// slashes if asked. A trailing "/." or "/.." leaves a trailing slash ("/a/.." -> "/").
//
// `out` needs `path.size()` bytes; it may be `path.data()` (in place): the output never
// overtakes the input.
PathResult normalize_path(std::string_view path, char* out, std::size_t capacity,
                          NormalizeOptions options = {});

// AllowEncodedSlashes.
enum class EncodedSlashes : std::uint8_t {
    kReject,    // Off (default): "%2F" is a 404
    kDecode,    // On: decode to '/'
    kNoDecode,  // NoDecode: accept but leave "%2F" encoded
};

// Apache's ap_unescape_url for the path: decodes every %XX. "%00" is always refused
// (404), "%2F" according to `slashes`. Same output rules as normalize_path().
PathResult unescape_path(std::string_view path, char* out, std::size_t capacity,
                         EncodedSlashes slashes = EncodedSlashes::kReject);

// normalize_path() then unescape_path(), in that order, as the request driver runs them
// (so "/../%00" is a 400, not a 404). The result is the path used to map to storage.
PathResult decode_request_path(std::string_view path, char* out, std::size_t capacity,
                               NormalizeOptions options = {},
                               EncodedSlashes slashes = EncodedSlashes::kReject);

}  // namespace sonora::http
