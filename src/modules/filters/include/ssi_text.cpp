// String transformations of mod_include (see ssi_text.h).

#include "modules/filters/include/ssi_text.h"

#include "core/strings.h"
#include "expr/digest.h"

#include <cstdio>
#include <cstring>

namespace sonora::modules::filters::ssi {

namespace {

struct Entity {
    std::string_view name;
    unsigned char code;
};

// The entities httpd's decoder knows: ISO-8859-1 letters and the markup four.
constexpr Entity kEntities[] = {
    {"lt", 60},      {"gt", 62},      {"amp", 38},     {"ETH", 208},    {"eth", 240},    {"quot", 34},
    {"Auml", 196},   {"Euml", 203},   {"Iuml", 207},   {"Ouml", 214},   {"Uuml", 220},   {"auml", 228},
    {"euml", 235},   {"iuml", 239},   {"ouml", 246},   {"uuml", 252},   {"yuml", 255},   {"Acirc", 194},
    {"Aring", 197},  {"AElig", 198},  {"Ecirc", 202},  {"Icirc", 206},  {"Ocirc", 212},  {"Ucirc", 219},
    {"THORN", 222},  {"szlig", 223},  {"acirc", 226},  {"aring", 229},  {"aelig", 230},  {"ecirc", 234},
    {"icirc", 238},  {"ocirc", 244},  {"ucirc", 251},  {"thorn", 254},  {"Agrave", 192}, {"Aacute", 193},
    {"Atilde", 195}, {"Ccedil", 199}, {"Egrave", 200}, {"Eacute", 201}, {"Igrave", 204}, {"Iacute", 205},
    {"Ntilde", 209}, {"Ograve", 210}, {"Oacute", 211}, {"Otilde", 213}, {"Oslash", 216}, {"Ugrave", 217},
    {"Uacute", 218}, {"Yacute", 221}, {"agrave", 224}, {"aacute", 225}, {"atilde", 227}, {"ccedil", 231},
    {"egrave", 232}, {"eacute", 233}, {"igrave", 236}, {"iacute", 237}, {"ntilde", 241}, {"ograve", 242},
    {"oacute", 243}, {"otilde", 245}, {"oslash", 248}, {"ugrave", 249}, {"uacute", 250}, {"yacute", 253},
};

bool is_alnum(unsigned char c) { return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'); }

// ap_os_escape_path's safe set (httpd's T_OS_ESCAPE_PATH, inverted).
bool path_safe(unsigned char c) { return is_alnum(c) || std::strchr("$-_.+!*'(),:;@&=/~", c) != nullptr; }

void append_hex(std::string& out, unsigned char c) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('%');
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
}

std::string escape_uri(std::string_view s) {
    std::string out;
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (path_safe(c)) {
            out.push_back(ch);
        } else {
            append_hex(out, c);
        }
    }
    return out;
}

std::string escape_urlencoded(std::string_view s) {
    std::string out;
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (ch == ' ') {
            out.push_back('+');
        } else if (is_alnum(c) || ch == '.' || ch == '-' || ch == '*' || ch == '_') {
            out.push_back(ch);
        } else {
            append_hex(out, c);
        }
    }
    return out;
}

std::string escape_html(std::string_view s) {
    std::string out;
    append_html_escaped(out, s);
    return out;
}

// C strings end at NUL: what httpd's decoders produce is cut there.
void cut_at_nul(std::string& s) {
    const std::size_t nul = s.find('\0');
    if (nul != std::string::npos) {
        s.resize(nul);
    }
}

}  // namespace

std::string decode_entities(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    std::size_t semi = 0;  // the next ';' after the current '&', searched once per ';' (linear)
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '&') {
            out.push_back(s[i]);
            continue;
        }
        if (semi <= i) {
            semi = s.find(';', i + 1);
        }
        if (semi == std::string_view::npos) {
            out.push_back('&');
            continue;
        }
        const std::string_view body = s.substr(i + 1, semi - i - 1);
        if (!body.empty() && body[0] == '#') {
            std::size_t j = 1;
            long val = 0;
            while (j < body.size() && body[j] >= '0' && body[j] <= '9') {
                val = val < 100000 ? val * 10 + (body[j] - '0') : val;
                ++j;
            }
            const bool printable = j == body.size() && val > 8 && !(val >= 11 && val <= 31) &&
                                   !(val >= 127 && val <= 160) && val < 256;
            if (printable) {
                out.push_back(static_cast<char>(val));
            }
            i = semi;
            continue;
        }
        bool found = false;
        for (const Entity& e : kEntities) {
            if (e.name == body) {
                out.push_back(static_cast<char>(e.code));
                i = semi;
                found = true;
                break;
            }
        }
        if (!found) {
            out.push_back('&');
        }
    }
    return out;
}

std::optional<std::string> encode_step(std::string_view name, std::string_view s) {
    if (equals_nocase(name, "none")) {
        return std::string(s);
    }
    if (equals_nocase(name, "url")) {
        return escape_uri(s);
    }
    if (equals_nocase(name, "urlencoded")) {
        return escape_urlencoded(s);
    }
    if (equals_nocase(name, "entity")) {
        return escape_html(s);
    }
    if (equals_nocase(name, "base64")) {
        return expr::base64_encode(s);
    }
    return std::nullopt;
}

std::optional<std::string> decode_step(std::string_view name, std::string_view s) {
    if (equals_nocase(name, "none")) {
        return std::string(s);
    }
    if (equals_nocase(name, "url")) {
        return unescape_url(s, false);
    }
    if (equals_nocase(name, "urlencoded")) {
        return unescape_url(s, true);
    }
    if (equals_nocase(name, "entity")) {
        return decode_entities(s);
    }
    if (equals_nocase(name, "base64")) {
        std::string out = expr::base64_decode(s);
        cut_at_nul(out);
        return out;
    }
    return std::nullopt;
}

bool apply_codings(bool encode, std::string_view list, std::string& value, std::string* bad) {
    std::size_t i = 0;
    while (i < list.size()) {
        const std::size_t start = list.find_first_not_of(", \t", i);
        if (start == std::string_view::npos) {
            break;
        }
        std::size_t end = list.find_first_of(", \t", start);
        end = end == std::string_view::npos ? list.size() : end;
        const std::string_view name = list.substr(start, end - start);
        auto next = encode ? encode_step(name, value) : decode_step(name, value);
        if (!next) {
            *bad = std::string(name);
            return false;
        }
        value = std::move(*next);
        i = end;
    }
    return true;
}

std::string grouped_size(std::int64_t size) {
    const std::string digits = std::to_string(size);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) {
            out.push_back(',');
        }
        out.push_back(digits[i]);
    }
    return out;
}

std::string format_time(std::time_t t, std::string_view fmt, bool gmt) {
    std::string f(fmt);
    std::tm tm{};
    if (gmt) {
        // strftime's %Z would name the local zone; httpd writes GMT.
        for (std::size_t at = f.find("%Z"); at != std::string::npos; at = f.find("%Z", at + 3)) {
            f.replace(at, 2, "GMT");
        }
        ::gmtime_r(&t, &tm);
    } else {
        ::localtime_r(&t, &tm);
    }
    char buf[8192];
    // The format is the document's (timefmt) or the configuration's, as in httpd.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    const std::size_t n = std::strftime(buf, sizeof buf, f.c_str(), &tm);
#pragma GCC diagnostic pop
    return std::string(buf, n);
}

}  // namespace sonora::modules::filters::ssi
