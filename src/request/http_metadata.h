#pragma once
// File metadata in HTTP terms for the default handler: Last-Modified and
// ETag values, precondition evaluation and Range handling, applied to a
// Request.

#include "modules/core/core_config.h"
#include "request/request.h"

#include <sys/stat.h>

#include <cstdint>
#include <string>

namespace sonora::request {

// FileETag bits as core stores them: INode 1, MTime 2, Size 4, Digest 8 (the
// same values as http/etag.h's kETag* constants).
inline constexpr unsigned kETagDefault = 2 | 4;

struct FileMeta {
    char last_modified[32] = {};  // IMF-fixdate
    char etag_buf[64] = {};
    std::string_view etag;        // empty for FileETag None
    std::int64_t mtime_s = 0;     // Last-Modified, seconds (never after the request time)
};

// `request_time_us`: the request's wall-clock time (the ETag is weak while the
// file is less than a second old, as httpd makes it).
FileMeta file_meta(const struct stat& st, std::int64_t request_time_us, unsigned etag_bits);

enum class Precondition { Proceed, NotModified, Failed };
Precondition check_preconditions(const Request& r, const FileMeta& meta);

// Applies Range (and If-Range) to a GET of a file of `size` bytes whose body is
// already in r.body: narrows it to one range (206) or builds a
// multipart/byteranges body. Returns 0, or 416 for an unsatisfiable range.
int apply_ranges(Request& r, const FileMeta& meta, const modules::core::CoreDirConfig& core, std::uint64_t size);

// The same for a filtered body that ended before any filter passed bytes on
// (httpd's byterange filter ranges a body whose first brigade holds all of
// it, EOS included: a small file through DEFLATE): `whole` becomes the
// range or the multipart body. If-Range compares the response's own ETag
// and, when it has Last-Modified, `mtime_s`.
int apply_ranges_to_output(Request& r, const modules::core::CoreDirConfig& core, std::int64_t mtime_s,
                           std::string& whole);

}  // namespace sonora::request
