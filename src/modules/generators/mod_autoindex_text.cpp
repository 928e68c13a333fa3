#include "modules/generators/mod_autoindex_text.h"

#include <cstdio>

namespace sonora::modules::generators::autoindex {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// The byte at `i`, or NUL past the end (the C routines read to the terminator).
char at(std::string_view s, std::size_t i) { return i < s.size() ? s[i] : '\0'; }

// Two digit runs read as whole numbers: the longer run is the greater; at
// equal lengths the first differing digit decides.
int compare_integers(std::string_view a, std::size_t i, std::string_view b, std::size_t j) {
    int bias = 0;
    for (;; ++i, ++j) {
        const char x = at(a, i);
        const char y = at(b, j);
        if (!is_digit(x) && !is_digit(y)) {
            return bias;
        }
        if (!is_digit(x)) {
            return -1;
        }
        if (!is_digit(y)) {
            return 1;
        }
        if (bias == 0 && x != y) {
            bias = x < y ? -1 : 1;
        }
    }
}

// Two digit runs read as fractions (one starts with '0'): the first
// differing digit decides, a shorter run being the smaller.
int compare_fractions(std::string_view a, std::size_t i, std::string_view b, std::size_t j) {
    for (;; ++i, ++j) {
        const char x = at(a, i);
        const char y = at(b, j);
        if (!is_digit(x) && !is_digit(y)) {
            return 0;
        }
        if (!is_digit(x)) {
            return -1;
        }
        if (!is_digit(y)) {
            return 1;
        }
        if (x != y) {
            return x < y ? -1 : 1;
        }
    }
}

// Glob matching with the last '*' remembered: on a mismatch the star takes
// one more byte and matching resumes after it (no recursion).
bool match_glob(std::string_view text, std::string_view pattern, bool ignore_case) {
    std::size_t t = 0;
    std::size_t p = 0;
    std::size_t star = std::string_view::npos;
    std::size_t resume = 0;
    while (t < text.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            resume = t;
        } else if (p < pattern.size() &&
                   (pattern[p] == '?' || (ignore_case ? lower(pattern[p]) == lower(text[t]) : pattern[p] == text[t]))) {
            ++p;
            ++t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') {
        ++p;
    }
    return p == pattern.size();
}

}  // namespace

std::string escape_path(std::string_view path, bool partial) {
    static constexpr std::string_view kKept = "$-_.+!*'(),:;@&=/~";
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(path.size() + 2);
    if (!partial) {
        const std::size_t colon = path.find(':');
        if (colon != std::string_view::npos && colon < path.find('/')) {
            out += "./";
        }
    }
    for (char c : path) {
        if (is_alnum(c) || kKept.find(c) != std::string_view::npos) {
            out += c;
        } else {
            const auto b = static_cast<unsigned char>(c);
            out += '%';
            out += kHex[b >> 4];
            out += kHex[b & 15];
        }
    }
    return out;
}

bool wildcard_match(std::string_view text, std::string_view pattern, bool ignore_case) {
    return match_glob(text, pattern, ignore_case);
}

bool has_wildcard(std::string_view s) { return s.find_first_of("*?") != std::string_view::npos; }

bool is_fnmatch_pattern(std::string_view s) {
    int open = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        switch (s[i]) {
            case '*':
            case '?': return true;
            case '\\':
                if (++i == s.size()) {
                    return false;
                }
                break;
            case '[': ++open; break;
            case ']':
                if (open > 0) {
                    return true;
                }
                break;
            default: break;
        }
    }
    return false;
}

int natural_compare(std::string_view a, std::string_view b, bool ignore_case) {
    std::size_t i = 0;
    std::size_t j = 0;
    for (;;) {
        char x = at(a, i);
        char y = at(b, j);
        while (is_space(x)) {
            x = at(a, ++i);
        }
        while (is_space(y)) {
            y = at(b, ++j);
        }
        if (is_digit(x) && is_digit(y)) {
            const int r = x == '0' || y == '0' ? compare_fractions(a, i, b, j) : compare_integers(a, i, b, j);
            if (r != 0) {
                return r;
            }
        }
        if (x == '\0' && y == '\0') {
            return 0;
        }
        if (ignore_case) {
            x = upper(x);
            y = upper(y);
        }
        if (x != y) {
            return x < y ? -1 : 1;  // as plain (signed) chars, as APR compares them
        }
        ++i;
        ++j;
    }
}

}  // namespace sonora::modules::generators::autoindex
