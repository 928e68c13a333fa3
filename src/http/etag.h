#pragma once
// Entity tags for static files, as Apache 2.4's FileETag directive builds
// them (core default handler). Recorded from httpd 2.4.71:
//  * fields are lowercase hex without leading zeros, in the fixed order
//    INode-Size-MTime (whatever order FileETag lists them), joined by '-'
//    and wrapped in double quotes: default "MTime Size" gives "64-59b1f7228d580"
//    for a 100-byte file modified at 2020-01-02 03:04:05.123456 UTC;
//  * MTime is the modification time in microseconds since the epoch;
//  * the tag is weak (W/ prefix) unless the request time is more than one
//    second (strictly, in microseconds) after the mtime; a future mtime is
//    therefore always weak;
//  * "FileETag Digest" replaces all other fields by the base64 SHA-1 of the
//    body, and such a tag is never weak;
//  * "FileETag None" means no ETag header at all.
//
// Pure functions: no allocation, no I/O, reentrant.

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <span>
#include <string_view>

namespace sonora::http {

// FileETag components, combinable with '|'.
inline constexpr unsigned kETagINode = 1U << 0;
inline constexpr unsigned kETagMTime = 1U << 1;
inline constexpr unsigned kETagSize = 1U << 2;
inline constexpr unsigned kETagDigest = 1U << 3;
inline constexpr unsigned kETagNone = 0;
inline constexpr unsigned kETagDefault = kETagMTime | kETagSize;  // 2.4 default
inline constexpr unsigned kETagAll = kETagINode | kETagMTime | kETagSize;  // "FileETag All"

// Large enough for any tag make_file_etag() builds from the three numeric
// fields (W/ + quotes + 3 x 16 hex digits + 2 dashes = 54); Digest tags need
// digest.size() + 2.
inline constexpr std::size_t kMaxFileETagLength = 64;

struct FileETagInput {
    std::uint64_t inode = 0;
    std::int64_t mtime_us = 0;  // modification time, microseconds since the epoch
    std::uint64_t size = 0;
    unsigned components = kETagDefault;
    // Base64 SHA-1 of the body, used only with kETagDigest. When that bit is
    // set and this is empty, the tag falls back to the other components.
    std::string_view digest;
};

// Converts a stat() timestamp to the microseconds make_file_etag() expects
// (nanoseconds are truncated, as Apache does).
constexpr std::int64_t mtime_us_from_timespec(const std::timespec& ts) {
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

// Writes the ETag header value for `in`, with quotes and W/ prefix when weak,
// into `out` (no terminating NUL). `now_us` is the request time in
// microseconds. Returns the length written; 0 when no ETag must be sent
// (components == kETagNone) or when `out` is too small.
std::size_t make_file_etag(const FileETagInput& in, std::int64_t now_us, std::span<char> out);

// True for a W/-prefixed tag (RFC 9110 §8.8.3). The prefix is case-sensitive.
constexpr bool etag_is_weak(std::string_view etag) {
    return etag.size() >= 2 && etag[0] == 'W' && etag[1] == '/';
}

}  // namespace sonora::http
