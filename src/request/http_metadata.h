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

// FileETag bits: INode, MTime, Size, Digest.
inline constexpr unsigned kETagInode = 1;
inline constexpr unsigned kETagMtime = 2;
inline constexpr unsigned kETagSize = 4;
inline constexpr unsigned kETagDefault = kETagMtime | kETagSize;

struct FileMeta {
    char last_modified[32] = {};  // IMF-fixdate
    char etag_buf[64] = {};
    std::string_view etag;        // empty for FileETag None
    std::int64_t mtime_s = 0;     // Last-Modified, seconds (never after the request time)
};

FileMeta file_meta(const struct stat& st, std::int64_t request_time_s, unsigned etag_bits);

enum class Precondition { Proceed, NotModified, Failed };
Precondition check_preconditions(const Request& r, const FileMeta& meta);

// Applies Range (and If-Range) to a GET of a file of `size` bytes whose body is
// already in r.body: narrows it to one range (206) or builds a
// multipart/byteranges body. Returns 0, or 416 for an unsatisfiable range.
int apply_ranges(Request& r, const FileMeta& meta, const modules::core::CoreDirConfig& core, std::uint64_t size);

}  // namespace sonora::request
