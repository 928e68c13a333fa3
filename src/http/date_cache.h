#pragma once
// The IMF-fixdate for Date (and Last-Modified) headers, formatted once per second.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sonora::http {

// "Sun, 06 Nov 1994 08:49:37 GMT" is always this long.
inline constexpr std::size_t kImfFixdateLength = 29;

// Formats `unix_seconds` (UTC) as an IMF-fixdate into `out`. Pure; no locale, no libc
// time zone state. Years outside 0000-9999 are clamped to that range.
void format_imf_fixdate(std::int64_t unix_seconds, char (&out)[kImfFixdateLength]);

// Caches the formatted date of the current second. The time is an input so tests and
// the event loop (which reads the clock once per turn) decide what "now" is.
//
// Thread safety: none; keep one per worker thread. The returned view stays valid until
// the next call with a different second.
class DateCache {
  public:
    std::string_view get(std::int64_t unix_seconds);

  private:
    std::int64_t second_ = INT64_MIN;
    char text_[kImfFixdateLength] = {};
};

}  // namespace sonora::http
