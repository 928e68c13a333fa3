#pragma once

#include "core/strings.h"  // hex_value
// Byte classes of RFC 9110/9112 as lookup tables, shared by the parsers of this layer.

#include <array>
#include <cstdint>

namespace sonora::http::detail {

enum : std::uint8_t {
    kTchar = 1,        // token character (method, header name, transfer coding)
    kFieldChar = 2,    // allowed inside a field value: VCHAR, obs-text, SP, HTAB
    kTargetChar = 4,   // allowed in a request target: VCHAR except nothing, plus obs-text
    kHexDigit = 8,
    kUnreserved = 16,  // RFC 3986 unreserved: ALPHA DIGIT - . _ ~
    // HttpProtocolOptions Unsafe: what httpd still refuses in a field. A value may
    // hold any byte but NUL and the line-breaking whitespace (LF, VT, FF, CR); a name
    // may also not hold SP or HTAB.
    kUnsafeValueChar = 32,
    kUnsafeNameChar = 64,
};

constexpr std::array<std::uint8_t, 256> make_char_table() {
    std::array<std::uint8_t, 256> t{};
    for (int c = 0; c < 256; ++c) {
        std::uint8_t bits = 0;
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        const bool digit = c >= '0' && c <= '9';
        const bool vchar = c > 0x20 && c < 0x7f;
        if (alpha || digit) {
            bits |= kTchar | kUnreserved;
        }
        switch (c) {
            case '!': case '#': case '$': case '%': case '&': case '\'': case '*':
            case '+': case '^': case '`': case '|':
                bits |= kTchar;
                break;
            case '-': case '.': case '_': case '~':
                bits |= kTchar | kUnreserved;
                break;
            default:
                break;
        }
        if (vchar || c >= 0x80 || c == ' ' || c == '\t') {
            bits |= kFieldChar;
        }
        if (vchar || c >= 0x80) {
            bits |= kTargetChar;
        }
        if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) {
            bits |= kHexDigit;
        }
        const bool breaks_line = c == 0 || c == '\n' || c == '\v' || c == '\f' || c == '\r';
        if (!breaks_line) {
            bits |= kUnsafeValueChar;
            if (c != ' ' && c != '\t' && c != ':') {
                bits |= kUnsafeNameChar;
            }
        }
        t[static_cast<std::size_t>(c)] = bits;
    }
    return t;
}

inline constexpr std::array<std::uint8_t, 256> kCharTable = make_char_table();

inline bool has_class(char c, std::uint8_t cls) {
    return (kCharTable[static_cast<unsigned char>(c)] & cls) != 0;
}

inline char ascii_lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

}  // namespace sonora::http::detail
