// Accept-* parsing with httpd's token rules (ap_get_token): a token ends at
// ';' or ',' and, for names, at white space; double quotes protect all three.

#include "modules/mappers/mod_negotiation_accept.h"

#include "core/strings.h"

#include <algorithm>

namespace sonora::modules::mappers::negotiation {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

void skip_spaces(std::string_view& s) {
    std::size_t i = 0;
    while (i < s.size() && is_space(s[i])) {
        ++i;
    }
    s.remove_prefix(i);
}

std::string_view take_token(std::string_view& s, bool spaces_inside) { return get_token(s, spaces_inside); }

// "level=N" reads as atoi() would.
float read_level(std::string_view v) {
    skip_spaces(v);
    bool negative = false;
    if (!v.empty() && (v.front() == '+' || v.front() == '-')) {
        negative = v.front() == '-';
        v.remove_prefix(1);
    }
    long n = 0;
    for (char c : v) {
        if (c < '0' || c > '9' || n > 100000000) {
            break;
        }
        n = n * 10 + (c - '0');
    }
    return static_cast<float>(negative ? -n : n);
}

// One "var=value" parameter (already lowercase); unknown ones are ignored.
void apply_param(std::string_view param, AcceptItem& out) {
    std::size_t cut = 0;
    while (cut < param.size() && !is_space(param[cut]) && param[cut] != '=') {
        ++cut;
    }
    if (cut == param.size()) {
        return;  // a bare word: no value
    }
    std::string_view var = param.substr(0, cut);
    std::string_view rest = param.substr(cut + 1);
    std::size_t i = 0;
    while (i < rest.size() && (is_space(rest[i]) || rest[i] == '=')) {
        ++i;
    }
    rest.remove_prefix(i);
    std::string_view value;
    if (!rest.empty() && rest.front() == '"') {
        rest.remove_prefix(1);
        std::size_t end = 0;
        while (end < rest.size() && rest[end] != '\n' && rest[end] != '\r' && rest[end] != '"') {
            ++end;
        }
        value = rest.substr(0, end);
    } else {
        std::size_t end = 0;
        while (end < rest.size() && !is_space(rest[end])) {
            ++end;
        }
        value = rest.substr(0, end);
    }
    if (var == "q" || var == "qs") {
        out.quality = parse_qvalue(value);
    } else if (var == "level") {
        out.level = read_level(value);
    } else if (var == "charset") {
        out.charset = value;
    }
}

}  // namespace

float parse_qvalue(std::string_view text) {
    skip_spaces(text);
    if (text.empty()) {
        return 1.0f;
    }
    if (text.front() != '.') {
        if (text.front() != '0') {
            return 1.0f;
        }
        text.remove_prefix(1);
    }
    if (text.empty() || text.front() != '.') {
        return 0.0f;
    }
    int thousandths = 0;
    // Weights of the first three decimals; a third decimal of 0 adds nothing anyway.
    constexpr int kWeights[] = {100, 10, 1};
    for (std::size_t i = 1; i <= 3 && i < text.size(); ++i) {
        char c = text[i];
        if (c < '0' || c > '9') {
            break;
        }
        thousandths += (c - '0') * kWeights[i - 1];
    }
    return static_cast<float>(thousandths) / 1000.0f;
}

std::string_view parse_item(std::string_view text, AcceptItem& out) {
    out = AcceptItem{};
    out.name = take_token(text, false);
    if (out.name == "text/html" || out.name == kIncludesMagicType) {
        out.level = 2.0f;
    } else if (out.name == kIncludesMagicType3) {
        out.level = 3.0f;
    }
    while (!text.empty() && text.front() == ';') {
        text.remove_prefix(1);
        apply_param(take_token(text, true), out);
    }
    if (!text.empty() && text.front() == ',') {
        text.remove_prefix(1);
    }
    return text;
}

AcceptList parse_accept(std::string_view value, std::pmr::memory_resource* arena) {
    AcceptList out(arena);
    if (value.empty()) {
        return out;
    }
    char* copy = static_cast<char*>(arena->allocate(value.size(), 1));
    for (std::size_t i = 0; i < value.size(); ++i) {
        char c = value[i];
        copy[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    std::string_view rest(copy, value.size());
    // A NUL would end httpd's C string: nothing after it is read.
    rest = rest.substr(0, std::min(rest.size(), std::string_view(copy, value.size()).find('\0')));
    while (!rest.empty()) {
        AcceptItem item;
        std::string_view next = parse_item(rest, item);
        out.push_back(item);
        if (next.size() == rest.size()) {
            break;  // cannot happen (every item consumes a byte), but never loop
        }
        rest = next;
    }
    return out;
}

std::optional<AcceptList> parse_accept_header(std::optional<std::string_view> value,
                                              std::pmr::memory_resource* arena) {
    if (!value) {
        return std::nullopt;
    }
    return parse_accept(*value, arena);
}

}  // namespace sonora::modules::mappers::negotiation
