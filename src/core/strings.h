#pragma once
// Small string helpers shared by the configuration engine and modules.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sonora {

bool equals_nocase(std::string_view a, std::string_view b);
bool starts_with_nocase(std::string_view s, std::string_view prefix);
std::string to_lower(std::string_view s);
std::string_view trim(std::string_view s);
// httpd's ap_get_token: a token of `s` up to ';' or ',' (and, unless
// `spaces_inside`, white space), double-quoted strings kept whole; leading
// blanks skipped, and `s` left at the next non-blank byte after it.
std::string_view get_token(std::string_view& s, bool spaces_inside);
// APR's rendering of an errno in httpd's log lines: "(13)Permission denied".
// What follows the last '/' of a path (apr_filepath_name_get).
std::string_view base_name(std::string_view path);
// A file path with "//", "." and ".." segments resolved as text, as
// apr_filepath_merge does for httpd's walks ("/.." stays "/"; a trailing
// slash is kept).
std::string resolve_file_path(std::string_view path);

// ap_unescape_url: every valid %XX decoded (with `plus_is_space`, '+' as a
// space too); the result ends at a decoded NUL, as httpd's C string does.
std::string unescape_url(std::string_view s, bool plus_is_space);

// ap_escape_shell_cmd: a backslash before each shell metacharacter.
std::string escape_shell(std::string_view s);

// apr_strfsize, as mod_autoindex's listings and SSI's sizefmt abbrev print
// sizes: four characters, "  - " for a negative size, "123 " below 973,
// then "1.0K", "9.9K", " 10K", "1.4M" ...
std::string strfsize(std::int64_t size);

std::string errno_text(int e);

// C's atol: leading blanks, a sign, then digits; anything else ends it.
// Saturates at LONG_MIN/LONG_MAX instead of overflowing.
long leading_number(std::string_view s);

// The value of a hexadecimal digit, or -1.
inline int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// httpd's ap_escape_html: appends `s` with &, <, > and " as entities.
template <class String>
void append_html_escaped(String& out, std::string_view s) {
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
}

// httpd's ap_timeout_parameter_parse: a number with an optional unit (ms, s,
// mi, h; seconds when none), in milliseconds; nullopt when malformed.
std::optional<long long> parse_duration_ms(std::string_view text);

// httpd's log escaping: control and non-ASCII bytes as \b \n \r \t \v or
// \xhh. With `Quotes` (ap_escape_logitem: access logs, the Referer) '"'
// and '\' are backslash-escaped too; without (ap_escape_errorlog_item: an
// error log message) they stay as written.
template <bool Quotes>
void append_log_escaped(std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c >= 0x20 && c < 0x7f && (!Quotes || (c != '"' && c != '\\'))) {
            out += ch;
            continue;
        }
        out += '\\';
        switch (c) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '\b': out += 'b'; break;
            case '\n': out += 'n'; break;
            case '\r': out += 'r'; break;
            case '\t': out += 't'; break;
            case '\v': out += 'v'; break;
            default:
                out += 'x';
                out += kHex[c >> 4];
                out += kHex[c & 0xf];
        }
    }
}

}  // namespace sonora
