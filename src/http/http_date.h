#pragma once
// HTTP dates (RFC 9110 §5.6.7): IMF-fixdate output and the three-format input
// that Apache accepts for If-Modified-Since, If-Unmodified-Since and If-Range.
//
// Pure functions: no allocation, no I/O, no locale, reentrant.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace sonora::http {

// Length of an IMF-fixdate, e.g. "Thu, 02 Jan 2020 03:04:05 GMT".
inline constexpr std::size_t kHttpDateLength = 29;

// Writes `unix_seconds` as IMF-fixdate into `out` (no terminating NUL).
// Returns kHttpDateLength, or 0 (nothing written) when `out` is shorter than
// kHttpDateLength or the year falls outside 0000..9999.
std::size_t format_http_date(std::int64_t unix_seconds, std::span<char> out);

// Parses an HTTP date the way Apache 2.4 does and returns seconds since the
// Unix epoch, or nullopt when Apache would treat the value as unparseable
// (and therefore ignore the header). Rules, all checked against httpd 2.4.71:
//  * leading whitespace is skipped; everything up to the first space (the
//    weekday, with or without its comma) is skipped unchecked;
//  * then exactly one of
//      "DD Mon YYYY HH:MM:SS <any>"    (IMF-fixdate; "<any>" is the zone,
//      "D Mon YYYY HH:MM:SS <any>"      never interpreted: UTC, EST, +0100 all
//                                       read as GMT; a 1-digit day is fine)
//      "DD-Mon-YY HH:MM:SS <any>"      (RFC 850; YY < 70 is 20YY, else 19YY)
//      "Mon DD HH:MM:SS YYYY<any>"     (asctime; DD may be " D")
//    where Mon is case-sensitive ("Jan", never "jan"/"JAN"), every digit
//    position must hold a digit and single spaces are required;
//  * hour <= 23, minute <= 59, second <= 61 (60/61 roll into the next
//    minute), the day must exist (Feb 29 only in Gregorian leap years);
//  * years before 1970, and 1970-01-01 00:00:00 itself, are rejected.
// The caller passes the field value with trailing whitespace already trimmed.
std::optional<std::int64_t> parse_http_date(std::string_view text);

}  // namespace sonora::http
