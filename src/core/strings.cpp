#include "core/strings.h"

#include <cstdio>

#include <cstring>

#include <sonora/directive.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <cctype>
#include <vector>

namespace sonora {

namespace {
char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }
}  // namespace

bool equals_nocase(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && equals_nocase(s.substr(0, prefix.size()), prefix);
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = lower(c);
    }
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && is_space(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

std::optional<long long> parse_duration_ms(std::string_view text) {
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
        ++digits;
    }
    long long n = 0;
    if (digits == 0 || std::from_chars(text.data(), text.data() + digits, n).ec != std::errc()) {
        return std::nullopt;
    }
    std::string unit = to_lower(text.substr(digits));
    if (unit.empty() || unit == "s") {
        return n * 1000;
    }
    if (unit == "ms") {
        return n;
    }
    if (unit == "mi") {
        return n * 60'000;
    }
    if (unit == "h") {
        return n * 3'600'000;
    }
    return std::nullopt;
}


namespace detail {
bool equals_nocase(std::string_view a, std::string_view b) { return sonora::equals_nocase(a, b); }
}  // namespace detail

std::string errno_text(int e) { return "(" + std::to_string(e) + ")" + std::strerror(e); }

long leading_number(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size() && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))) {
        ++i;
    }
    bool negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
        negative = s[i] == '-';
        ++i;
    }
    long n = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
        const int digit = s[i] - '0';
        if (n > (LONG_MAX - digit) / 10) {
            return negative ? LONG_MIN : LONG_MAX;
        }
        n = n * 10 + digit;
    }
    return negative ? -n : n;
}

std::string strfsize(std::int64_t size) {
    char buf[16];
    if (size < 0) {
        return "  - ";
    }
    if (size < 973) {
        std::snprintf(buf, sizeof buf, "%3d ", static_cast<int>(size));
        return buf;
    }
    static constexpr char kUnits[] = "KMGTPE";
    for (const char* unit = kUnits;; ++unit) {
        int remain = static_cast<int>(size & 1023);
        size >>= 10;
        if (size >= 973) {
            continue;
        }
        if (size < 9 || (size == 9 && remain < 973)) {
            remain = (remain * 5 + 256) / 512;
            if (remain >= 10) {
                ++size;
                remain = 0;
            }
            std::snprintf(buf, sizeof buf, "%d.%d%c", static_cast<int>(size), remain, *unit);
            return buf;
        }
        if (remain >= 512) {
            ++size;
        }
        std::snprintf(buf, sizeof buf, "%3d%c", static_cast<int>(size), *unit);
        return buf;
    }
}

std::string_view base_name(std::string_view path) {
    const std::size_t slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string resolve_file_path(std::string_view path) {
    std::vector<std::string_view> segments;
    std::size_t pos = 0;
    while (pos <= path.size()) {
        const std::size_t slash = std::min(path.find('/', pos), path.size());
        const std::string_view seg = path.substr(pos, slash - pos);
        if (seg == "..") {
            if (!segments.empty()) {
                segments.pop_back();
            }
        } else if (!seg.empty() && seg != ".") {
            segments.push_back(seg);
        }
        pos = slash + 1;
    }
    std::string out;
    for (std::string_view seg : segments) {
        out += '/';
        out += seg;
    }
    if (out.empty() || (path.size() > 1 && path.back() == '/')) {
        out += '/';
    }
    return out;
}

std::string unescape_url(std::string_view s, bool plus_is_space) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else if (c == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
            i += 2;
        } else {
            out.push_back(c);
        }
    }
    if (const std::size_t nul = out.find('\0'); nul != std::string::npos) {
        out.resize(nul);  // a C string ends there, as httpd's result does
    }
    return out;
}

std::string escape_shell(std::string_view s) {
    std::string out;
    for (const char c : s) {
        if (std::strchr("&;`'\"|*?~<>^()[]{}$\\\n", c) != nullptr && c != '\0') {
            out.push_back('\\');
        }
        out.push_back(c);
    }
    return out;
}

std::string_view get_token(std::string_view& s, bool spaces_inside) {
    auto is_space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
    while (!s.empty() && is_space(s.front())) {
        s.remove_prefix(1);
    }
    std::size_t i = 0;
    while (i < s.size() && (spaces_inside || !is_space(s[i])) && s[i] != ';' && s[i] != ',') {
        if (s[i++] == '"') {
            while (i < s.size()) {
                if (s[i++] == '"') {
                    break;
                }
            }
        }
    }
    std::string_view token = s.substr(0, i);
    s.remove_prefix(i);
    while (!s.empty() && is_space(s.front())) {
        s.remove_prefix(1);
    }
    return token;
}

}  // namespace sonora
