#pragma once
// Range requests (RFC 9110 §14) as Apache 2.4's byterange filter applies
// them to a representation of known size, plus the multipart/byteranges body
// layout it emits. Every rule below was recorded against httpd 2.4.71.
//
// Parsing ("Range: bytes=..."):
//  * the unit "bytes=" is matched case-insensitively; no whitespace is
//    allowed anywhere after it ("bytes= 0-1", "0 -1", "0-1, 5-9" are invalid);
//  * members are split on ','; runs of commas collapse ("0-1,,5-9" is two
//    members), but a leading comma or empty list means "no members";
//  * a member is "F-L", "F-" or "-N" with decimal digits only (leading zeros
//    allowed; values above INT64_MAX are invalid). L < F and "-0" are invalid;
//  * any invalid member makes the whole header invalid: it is ignored (200);
//  * F >= size makes a member unsatisfiable: it is dropped; L is clamped to
//    size-1; "-N" selects the last N bytes (the whole file if N >= size);
//  * an empty representation (size 0) never gets ranges: always 200.
// Merging: each satisfiable member is compared with the range being built
// (never with earlier output). If it overlaps or is adjacent to it, the two
// are merged and one "overlap" is counted; if it also starts before it, one
// "reversal" is counted. Otherwise the range being built is emitted and the
// member starts a new one. Output keeps request order; it is not sorted, so
// "5-9,0-1" stays two parts in that order, "50-60,0-10,55-70" three parts.
// Decision, in order: invalid -> Full; no member at all -> Full; no
// satisfiable member -> NotSatisfiable (416); overlaps > max_overlaps or
// reversals > max_reversals or emitted ranges > max_ranges -> Full;
// otherwise Partial (206; one range -> single part, several -> multipart).
//
// Pure functions: no allocation, no I/O, reentrant.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace sonora::http {

// An inclusive byte range [first, last] of the representation.
struct ByteRange {
    std::uint64_t first = 0;
    std::uint64_t last = 0;

    std::uint64_t length() const { return last - first + 1; }
    friend bool operator==(const ByteRange&, const ByteRange&) = default;
};

inline constexpr std::uint32_t kRangeLimitUnlimited = 0xFFFFFFFFU;

// MaxRanges / MaxRangeOverlaps / MaxRangeReversals. The directive keyword
// "unlimited" maps to kRangeLimitUnlimited and "none" to 0 for all three.
// MaxRanges none therefore still answers 416 to a wholly unsatisfiable
// header (Apache does) while ignoring every satisfiable one. Note that
// Apache's config parser rejects a literal "MaxRanges 0".
struct RangeLimits {
    std::uint32_t max_ranges = 200;
    std::uint32_t max_overlaps = 20;
    std::uint32_t max_reversals = 20;
};

enum class RangeDecision : std::uint8_t {
    Full,            // send the whole representation (200)
    Partial,         // 206 with the returned ranges
    NotSatisfiable,  // 416
};

struct RangeResult {
    RangeDecision decision = RangeDecision::Full;
    std::size_t count = 0;  // ranges written to `out`; nonzero only for Partial
};

// Parses `header` (the Range field value, surrounding whitespace trimmed)
// against a representation of `size` bytes and writes the merged ranges to
// `out`. If more ranges would be emitted than `out` holds, the result is Full,
// as if MaxRanges were out.size(); size `out` to limits.max_ranges, or to
// max_range_members(header) when MaxRanges is unlimited.
RangeResult parse_byte_ranges(std::string_view header, std::uint64_t size,
                              const RangeLimits& limits, std::span<ByteRange> out);

// Upper bound on the ranges parse_byte_ranges() can emit for `header`.
std::size_t max_range_members(std::string_view header);

// Longest "bytes F-L/S" / "bytes */S" value format_content_range() writes.
inline constexpr std::size_t kMaxContentRangeLength = 6 + 3 * 20 + 2;

// Writes the Content-Range value "bytes F-L/SIZE" (no NUL); returns its
// length, or 0 if `out` is shorter than kMaxContentRangeLength.
std::size_t format_content_range(const ByteRange& range, std::uint64_t size,
                                 std::span<char> out);

// Writes "bytes */SIZE", the RFC 9110 §15.5.17 value for a 416. Apache 2.4.71
// itself sends its 416 error page without any Content-Range header.
std::size_t format_unsatisfied_range(std::uint64_t size, std::span<char> out);

// Writes 16 lowercase hex digits of `bits` (zero-padded): a boundary of the
// shape Apache uses ("867c6663b9a85319"). Returns 16, or 0 if `out` is short.
std::size_t format_multipart_boundary(std::uint64_t bits, std::span<char> out);

// One piece of a multipart/byteranges body, in send order.
struct BodySegment {
    enum class Kind : std::uint8_t { Literal, File };
    Kind kind = Kind::Literal;
    std::uint64_t offset = 0;  // Literal: into the literal buffer; File: into the file
    std::uint64_t length = 0;
};

struct MultipartPlan {
    bool ok = false;                  // false: a buffer was too small, nothing usable
    std::size_t segment_count = 0;    // 2 * ranges + 1
    std::size_t literal_length = 0;   // bytes used in the literal buffer
    std::uint64_t content_length = 0; // exact Content-Length of the body
};

// Plans the multipart/byteranges body (the response Content-Type is
// "multipart/byteranges; boundary=" + boundary). Each part is
//   "\r\n--" BOUNDARY "\r\n"
//   "Content-type: " CONTENT_TYPE "\r\n"   (omitted when content_type is empty)
//   "Content-range: bytes F-L/SIZE\r\n"
//   "\r\n" <file bytes F..L>
// and the body ends with "\r\n--" BOUNDARY "--\r\n" -- Apache's exact bytes,
// including the lowercase second words of the part header names.
// `literals` needs multipart_literal_capacity() bytes and `segments`
// 2 * ranges.size() + 1 entries.
MultipartPlan plan_multipart_byteranges(std::span<const ByteRange> ranges,
                                        std::string_view content_type, std::uint64_t size,
                                        std::string_view boundary, std::span<char> literals,
                                        std::span<BodySegment> segments);

// Literal buffer size sufficient for plan_multipart_byteranges().
std::size_t multipart_literal_capacity(std::size_t range_count, std::string_view content_type,
                                       std::string_view boundary);

}  // namespace sonora::http
