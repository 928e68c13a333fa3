#pragma once
// Numbers, sizes, durations and times written the way httpd's status page
// writes them, so that people and scripts used to Apache's page read ours.

#include <cstdint>
#include <string>
#include <string_view>

namespace sonora::modules::generators::status {

// printf's "%.<precision>g" as APR's formatter writes it: no zero before the
// point (".25", "-.5") and no padding in the exponent ("1.5e+7").
std::string format_g(double value, int precision = 6);

// A byte count in the unit httpd picks: "812 B" under 5 kB, then "12.5 kB",
// "3.1 MB", "1.2 GB" (each from half of the next unit up).
std::string format_bytes(std::uint64_t bytes);

// A count of kilobytes: "44 kB" under 1 MB, then "57.5 MB", "1.2 GB".
std::string format_kbytes(std::uint64_t kbytes);

// " 1 day 2 hours 3 minutes 4 seconds": each non-zero part with a space
// before it, singular for 1; empty for 0.
std::string format_uptime(std::uint64_t seconds);

// "Sunday, 06-Dec-2026 06:47:46 UTC": the local time of `us` (microseconds
// since the epoch).
std::string format_time(std::int64_t us);

// Appends `s` with &, <, > and " as HTML entities.
void append_html(std::string& out, std::string_view s);

// Appends a scoreboard string (client, request line) as httpd shows one:
// escaped as the access log escapes it (quotes, backslashes, control and
// non-ASCII bytes), then HTML-escaped.
void append_logitem_html(std::string& out, std::string_view s);

}  // namespace sonora::modules::generators::status
