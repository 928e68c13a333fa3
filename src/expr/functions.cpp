#include "expr/functions.h"

#include <array>
#include <cctype>
#include <cstddef>

#include "core/strings.h"
#include "expr/digest.h"

namespace sonora::expr {
namespace {

constexpr std::array<std::string_view, static_cast<std::size_t>(Func::kCount)> kFuncNames{
    "req",     "http",    "req_novary", "resp", "reqenv", "osenv", "note",
    "env",     "tolower", "toupper",    "escape", "unescape", "base64", "unbase64",
    "md5",     "sha1",    "file",       "filesize", "ldap",
};

struct UnarySpec {
    char letter;
    UnaryOp op;
};

constexpr std::array<UnarySpec, 14> kUnary{{
    {'d', UnaryOp::D}, {'e', UnaryOp::E}, {'f', UnaryOp::F}, {'s', UnaryOp::S},
    {'L', UnaryOp::L}, {'h', UnaryOp::H}, {'x', UnaryOp::X}, {'F', UnaryOp::FileSub},
    {'U', UnaryOp::UrlSub}, {'A', UnaryOp::UrlSub}, {'n', UnaryOp::N}, {'z', UnaryOp::Z},
    {'T', UnaryOp::T}, {'R', UnaryOp::R},
}};

constexpr std::array<std::string_view, 4> kNamedOps{"ipmatch", "strmatch", "strcmatch", "fnmatch"};

constexpr char kHex[] = "0123456789abcdef";

}  // namespace

bool func_is_restricted(Func f) { return f == Func::File || f == Func::Filesize; }

std::optional<Func> find_function(std::string_view name) {
    for (std::size_t i = 0; i < kFuncNames.size(); ++i) {
        if (equals_nocase(kFuncNames[i], name)) {
            return static_cast<Func>(i);
        }
    }
    return std::nullopt;
}

std::string_view function_name(Func f) {
    auto i = static_cast<std::size_t>(f);
    return i < kFuncNames.size() ? kFuncNames[i] : std::string_view();
}

std::optional<UnaryOp> find_unary_op(std::string_view name) {
    if (name.size() != 1) {
        return std::nullopt;
    }
    for (const auto& u : kUnary) {
        if (u.letter == name[0]) {
            return u.op;
        }
    }
    return std::nullopt;
}

char unary_op_letter(UnaryOp op) {
    for (const auto& u : kUnary) {
        if (u.op == op) {
            return u.letter;
        }
    }
    return '?';
}

std::optional<NamedOp> find_named_op(std::string_view name) {
    for (std::size_t i = 0; i < kNamedOps.size(); ++i) {
        if (kNamedOps[i] == name) {
            return static_cast<NamedOp>(i);
        }
    }
    return std::nullopt;
}

std::string_view named_op_name(NamedOp op) { return kNamedOps[static_cast<std::size_t>(op)]; }

std::string fn_tolower(std::string_view s) { return to_lower(s); }

std::string fn_toupper(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

std::string fn_escape(std::string_view s) {
    // Characters left alone when escaping a URL path.
    constexpr std::string_view kSafe = "$-_.+!*'(),:;@&=/~|";
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) != 0 || kSafe.find(c) != std::string_view::npos) {
            out += c;
        } else {
            out += '%';
            out += kHex[u >> 4];
            out += kHex[u & 15];
        }
    }
    return out;
}

std::string fn_unescape(std::string_view s) {
    // Apache returns an empty string for a malformed escape ("%zz", a trailing
    // "%4") and for %00; encoded slashes stay encoded.
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        int hi = i + 1 < s.size() ? hex_value(s[i + 1]) : -1;
        int lo = i + 2 < s.size() ? hex_value(s[i + 2]) : -1;
        if (hi < 0 || lo < 0) {
            return std::string();
        }
        int v = hi * 16 + lo;
        if (v == 0) {
            return std::string();
        }
        if (v == '/') {
            out.append(s.substr(i, 3));
        } else {
            out += static_cast<char>(v);
        }
        i += 2;
    }
    return out;
}

std::string fn_base64(std::string_view s) { return base64_encode(s); }
std::string fn_unbase64(std::string_view s) { return base64_decode(s); }
std::string fn_md5(std::string_view s) { return md5_hex(s); }
std::string fn_sha1(std::string_view s) { return sha1_hex(s); }

std::string fn_ldap(std::string_view s) {
    // The characters Apache escapes (checked against httpd 2.4), as \xx.
    constexpr std::string_view kSpecial = "\\*()\",+<>;";
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (u == 0 || kSpecial.find(c) != std::string_view::npos) {
            out += '\\';
            out += kHex[u >> 4];
            out += kHex[u & 15];
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace sonora::expr
