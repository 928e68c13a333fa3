#pragma once
// The access-log format language of httpd's mod_log_config (LogFormat,
// CustomLog), compiled once at configuration time into a flat list of items.
//
// A format is literal text interleaved with directives of the form
//     % [!] [status,status,...] [<|>] [{argument}] letter
// where the modifiers may come in any order and repeat (the last {argument}
// wins, every status number is collected, each '!' flips the sense of the
// status list). The letter is one character, or '^' plus two characters for
// the extended directives (%^ti, %^to, %^FB). "%%" is a literal percent sign.
//
// In literal text the escapes \\ \n \r \t are decoded; any other backslash is
// kept as written (so "\"" stays a backslash and a quote: the configuration
// word splitter has already turned \" inside a quoted argument into a quote).
//
// Compilation fails, with httpd's wording, on an unknown letter
// ("Unrecognized LogFormat directive %Z") and on a directive cut short by the
// end of the string ("Ran off end of LogFormat parsing args to some directive").
//
// Thread-safety: compile_log_format() is reentrant; a LogFormat is immutable
// once built and may be shared between threads.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sonora::modules::loggers {

// What one directive logs. The comment gives the letter.
enum class LogField : std::uint8_t {
    Literal,         // literal text (including "%%")
    RemoteHost,      // %h  (%{c}h: the peer of the connection)
    RemoteAddr,      // %a  (%{c}a: the peer of the connection)
    LocalAddr,       // %A
    BytesClf,        // %b  ("-" for zero)
    Bytes,           // %B
    Cookie,          // %{name}C
    DurationUs,      // %D
    Env,             // %{name}e
    Filename,        // %f
    Protocol,        // %H
    HeaderIn,        // %{name}i
    KeepAlives,      // %k
    RemoteLogname,   // %l
    LogId,           // %L
    Method,          // %m
    Note,            // %{name}n
    HeaderOut,       // %{name}o
    Port,            // %p, %{canonical|local|remote}p
    PidTid,          // %P, %{pid|tid|hextid}P
    Query,           // %q
    RequestLine,     // %r
    Handler,         // %R
    Status,          // %s
    Time,            // %t, %{format}t
    Duration,        // %T, %{s|ms|us}T
    User,            // %u
    Uri,             // %U
    VirtualHost,     // %v
    ServerName,      // %V
    ConnStatus,      // %X
    BytesIn,         // %I  (mod_logio)
    BytesOut,        // %O  (mod_logio)
    BytesCombined,   // %S  (mod_logio)
    TimeToFirstByte, // %^FB (mod_logio)
    TrailerIn,       // %{name}^ti
    TrailerOut,      // %{name}^to
};

// %{format}t, decoded: which instant, and how it is printed.
struct TimeFormat {
    enum class Kind : std::uint8_t {
        Clf,       // [10/Oct/2000:13:55:36 -0700]
        Strftime,  // `pattern` passed to strftime
        Sec,       // seconds since the epoch
        Msec,      // milliseconds since the epoch
        Usec,      // microseconds since the epoch
        MsecFrac,  // the millisecond part, three digits
        UsecFrac,  // the microsecond part, six digits
    };
    bool at_end = false;  // "end:" prefix: the end of the request, not its start
    Kind kind = Kind::Clf;
    std::string pattern;  // for Strftime

    bool operator==(const TimeFormat&) const = default;
};

// %{...}p and %{...}P and %{...}T arguments, decoded. Bogus is an argument httpd
// does not know: it is logged as the argument text itself.
enum class PortKind : std::uint8_t { Canonical, Local, Remote, Bogus };
enum class PidKind : std::uint8_t { Pid, Tid, HexTid, Bogus };
enum class DurationUnit : std::uint8_t { Seconds, Millis, Micros, Bogus };

struct LogItem {
    LogField field = LogField::Literal;
    std::string text;               // Literal: the decoded text
    std::string arg;                // the {argument}, as written
    std::vector<int> statuses;      // log only for these statuses (empty: always)
    bool negate_statuses = false;   // '!': log only for the other statuses
    bool want_original = false;     // '<' (original request) or '>' (final), else the letter's default
    // Decoded arguments for the letters that take a sub-format.
    TimeFormat time;                // Time
    PortKind port = PortKind::Canonical;
    PidKind pid = PidKind::Pid;
    DurationUnit unit = DurationUnit::Seconds;

    bool operator==(const LogItem&) const = default;
};

struct LogFormat {
    std::string source;  // the format string as configured
    std::vector<LogItem> items;
};

// httpd's default format when nothing else is configured: the Common Log Format.
inline constexpr std::string_view kDefaultLogFormat = "%h %l %u %t \"%r\" %>s %b";

// Compiles `text` into `out`. Returns nullopt, or httpd's error message.
std::optional<std::string> compile_log_format(std::string_view text, LogFormat& out);

}  // namespace sonora::modules::loggers
