// Apache's variant selection, dimension by dimension, as httpd's
// mod_negotiation does it (the facts, re-derived; see the header). The
// "fiddles" are httpd's corrections for browsers that send careless Accept
// headers; a client that sends Negotiate turns them off.

#include "modules/mappers/mod_negotiation_choose.h"

#include <cstdio>

namespace sonora::modules::mappers::negotiation {

namespace {

bool equals_nocase_prefix(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) {
        return false;
    }
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char a = text[i];
        char b = prefix[i];
        a = (a >= 'A' && a <= 'Z') ? static_cast<char>(a - 'A' + 'a') : a;
        b = (b >= 'A' && b <= 'Z') ? static_cast<char>(b - 'A' + 'a') : b;
        if (a != b) {
            return false;
        }
    }
    return true;
}

// Calls fn(tag) for each comma-separated language of a variant.
template <typename Fn>
void for_each_language(std::string_view list, Fn&& fn) {
    while (!list.empty()) {
        std::size_t comma = list.find(',');
        fn(list.substr(0, comma));
        if (comma == std::string_view::npos) {
            break;
        }
        list.remove_prefix(comma + 1);
    }
}

// Media-type match; records how specific the best match so far was
// (1 = */*, 2 = type/*, 3 = type/subtype at an acceptable level).
bool mime_match(const AcceptItem& accept, Variant& v) {
    std::string_view a = accept.name;
    if (a == "*" || a == "*/*") {
        v.mime_stars = std::max(v.mime_stars, 1);
        return true;
    }
    const std::size_t len = a.size();
    if (len > 2 && a[len - 2] == '/' && a[len - 1] == '*' && v.mime_type.size() > len - 2 &&
        v.mime_type.compare(0, len - 2, a, 0, len - 2) == 0 && v.mime_type[len - 2] == '/') {
        v.mime_stars = std::max(v.mime_stars, 2);
        return true;
    }
    if (a == v.mime_type ||
        (a == "text/html" && (v.mime_type == kIncludesMagicType || v.mime_type == kIncludesMagicType3))) {
        if (accept.level >= v.level) {
            v.level_matched = v.level;
            v.mime_stars = 3;
            return true;
        }
    }
    return false;
}

// Levels compare only within one media type (all HTML-like types count as one).
int level_cmp(const Variant& a, const Variant& b) {
    if (a.is_pseudo_html && !b.is_pseudo_html) {
        return 0;
    }
    if (!a.is_pseudo_html && a.mime_type != b.mime_type) {
        return 0;
    }
    if (a.level_matched != b.level_matched) {
        return a.level_matched > b.level_matched ? 1 : -1;
    }
    if (a.level != b.level) {
        return a.level < b.level ? 1 : -1;  // unmatched: the lower level is the safer one
    }
    return 0;
}

void set_default_lang_quality(Negotiation& neg, std::span<Variant> variants) {
    neg.default_lang_quality = 1.0f;
    if (neg.dont_fiddle_headers) {
        return;
    }
    for (const Variant& v : variants) {
        if (!v.languages.empty()) {
            neg.default_lang_quality = 0.0001f;
            return;
        }
    }
}

int language_priority_index(std::span<const std::string> priority, std::string_view lang) {
    for (std::size_t i = 0; i < priority.size(); ++i) {
        if (equals_nocase_prefix(lang, priority[i])) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

void set_language_quality(Negotiation& neg, Variant& v) {
    if (v.languages.empty()) {
        if (!neg.dont_fiddle_headers) {
            v.lang_quality = neg.default_lang_quality;
        }
        return;
    }
    if (!neg.accept_langs) {
        v.definite = false;
    } else {
        const AcceptItem* best = nullptr;
        const AcceptItem* star = nullptr;
        float fiddle_q = 0.0f;
        bool any_match_on_star = false;
        for_each_language(v.languages, [&](std::string_view lang) {
            const AcceptItem* best_this_tag = nullptr;
            std::size_t longest = 0;
            for (const AcceptItem& a : *neg.accept_langs) {
                if (a.name == "*") {
                    if (star == nullptr) {
                        star = &a;
                    }
                    continue;
                }
                // A range matches the tag itself or the tag's prefix up to a '-'.
                const std::size_t alen = a.name.size();
                if (lang.size() >= alen && lang.compare(0, alen, a.name) == 0 &&
                    (lang.size() == alen || lang[alen] == '-') && alen > longest) {
                    longest = alen;
                    best_this_tag = &a;
                }
                // httpd's fiddle: "en-us" still takes "en" and "en-gb", but only just.
                if (best_this_tag == nullptr && !neg.dont_fiddle_headers) {
                    std::size_t dash = a.name.find('-');
                    if (dash != std::string_view::npos && lang.compare(0, dash, a.name, 0, dash) == 0 &&
                        lang.size() >= dash) {
                        fiddle_q = 0.001f;
                    }
                }
            }
            if (best == nullptr || (best_this_tag != nullptr && best_this_tag->quality > best->quality)) {
                best = best_this_tag;
            }
            if (best_this_tag == nullptr && star != nullptr) {
                any_match_on_star = true;
            }
        });
        if (any_match_on_star && (best == nullptr || star->quality > best->quality)) {
            best = star;
            v.definite = false;
        }
        v.lang_quality = best != nullptr ? best->quality : fiddle_q;
    }
    const LanguageSettings& ls = neg.languages;
    if ((ls.prefer && v.lang_index < 0) || (ls.fallback && v.lang_quality == 0.0f)) {
        int best_index = -1;
        for_each_language(v.languages, [&](std::string_view lang) {
            int idx = language_priority_index(ls.priority, lang);
            if (idx >= 0 && (best_index == -1 || idx < best_index)) {
                best_index = idx;
            }
        });
        if (best_index >= 0) {
            if (v.lang_quality != 0.0f) {
                if (ls.prefer) {
                    v.lang_index = best_index;
                }
            } else if (ls.fallback) {
                v.lang_index = best_index;
                v.lang_quality = 0.0001f;
                v.definite = false;
            }
        }
    }
}

void set_accept_quality(const Negotiation& neg, Variant& v) {
    if (!neg.accepts) {
        if (!v.mime_type.empty()) {
            v.definite = false;
        }
        return;
    }
    float q = 0.0f;
    bool q_definite = true;
    for (const AcceptItem& a : *neg.accepts) {
        const int before = v.mime_stars;
        if (!mime_match(a, v) || before == v.mime_stars) {
            continue;  // no match, or no more specific than an earlier one
        }
        // Without explicit q-values, wildcards count for little (httpd's fiddle).
        if (!neg.dont_fiddle_headers && !neg.accept_q && v.mime_stars == 1) {
            q = 0.01f;
        } else if (!neg.dont_fiddle_headers && !neg.accept_q && v.mime_stars == 2) {
            q = 0.02f;
        } else {
            q = a.quality;
        }
        q_definite = v.mime_stars == 3;
    }
    v.mime_type_quality = q;
    v.definite = v.definite && q_definite;
}

void set_charset_quality(const Negotiation& neg, Variant& v) {
    std::string_view charset = v.charset;
    if (!neg.accept_charsets) {
        if (!charset.empty()) {
            v.definite = false;
        }
        return;
    }
    if (charset.empty()) {
        const bool textual = v.mime_type.starts_with("text/") || v.mime_type == kIncludesMagicType ||
                             v.mime_type == kIncludesMagicType3;
        if (!textual || neg.dont_fiddle_headers) {
            return;
        }
        charset = "iso-8859-1";  // HTTP's default for text
    }
    const AcceptItem* star = nullptr;
    for (const AcceptItem& a : *neg.accept_charsets) {
        if (a.name == charset) {
            v.charset_quality = a.quality;
            return;
        }
        if (a.name == "*") {
            star = &a;
        }
    }
    if (star != nullptr) {
        v.charset_quality = star->quality;
        v.definite = false;
        return;
    }
    v.charset_quality = charset == "iso-8859-1" ? 1.0f : 0.0f;
}

bool is_identity_encoding(std::string_view enc) {
    return enc.empty() || enc == "7bit" || enc == "8bit" || enc == "binary";
}

std::string_view without_x(std::string_view s) { return s.starts_with("x-") ? s.substr(2) : s; }

void set_encoding_quality(const Negotiation& neg, Variant& v) {
    std::string_view enc = v.encoding;
    if (!neg.accept_encodings) {
        // No header: anything goes, but unencoded is better.
        v.encoding_quality = is_identity_encoding(enc) ? 1.0f : 0.5f;
        return;
    }
    float if_not_found = 0.0f;
    if (is_identity_encoding(enc)) {
        enc = "identity";
        if_not_found = 0.0001f;
    }
    enc = without_x(enc);
    const AcceptItem* star = nullptr;
    for (const AcceptItem& a : *neg.accept_encodings) {
        std::string_view name = without_x(a.name);
        if (name == enc) {
            v.encoding_quality = a.quality;
            return;
        }
        if (name == "*") {
            star = &a;
        }
    }
    v.encoding_quality = star != nullptr ? star->quality : if_not_found;
}

bool is_better_rvsa(const Variant& v, const Variant* best, float& best_q) {
    if (v.encoding_quality == 0.0f) {
        return false;
    }
    const float q = v.mime_type_quality * v.source_quality * v.charset_quality * v.lang_quality;
    if (q <= 0.0f) {
        return false;
    }
    if (q > best_q) {
        best_q = q;
        return true;
    }
    if (q == best_q && best != nullptr && v.encoding_quality > best->encoding_quality) {
        best_q = q;
        return true;
    }
    return false;
}

bool non_latin1(std::string_view charset) { return !charset.empty() && charset != "iso-8859-1"; }

// Apache's own order: type x qs, language, language priority, level,
// charset, encoding, length.
bool is_better(const Variant& v, const Variant* best, float& best_q) {
    if (v.encoding_quality == 0.0f || v.lang_quality == 0.0f || v.source_quality == 0.0f ||
        v.charset_quality == 0.0f || v.mime_type_quality == 0.0f) {
        return false;
    }
    const float q = v.mime_type_quality * v.source_quality;
    if (q == 0.0f || q < best_q) {
        return false;
    }
    if (q > best_q || best == nullptr) {
        best_q = q;
        return true;
    }
    if (v.lang_quality != best->lang_quality) {
        if (v.lang_quality < best->lang_quality) {
            return false;
        }
        best_q = q;
        return true;
    }
    if (best->lang_index != -1 && (v.lang_index == -1 || v.lang_index > best->lang_index)) {
        return false;
    }
    if (v.lang_index != -1 && (best->lang_index == -1 || v.lang_index < best->lang_index)) {
        best_q = q;
        return true;
    }
    if (int lc = level_cmp(v, *best); lc != 0) {
        if (lc < 0) {
            return false;
        }
        best_q = q;
        return true;
    }
    if (v.charset_quality < best->charset_quality) {
        return false;
    }
    // An explicit charset other than Latin-1 beats Latin-1 or none.
    if (v.charset_quality > best->charset_quality || (non_latin1(v.charset) && !non_latin1(best->charset))) {
        best_q = q;
        return true;
    }
    if (v.encoding_quality != best->encoding_quality) {
        if (v.encoding_quality < best->encoding_quality) {
            return false;
        }
        best_q = q;
        return true;
    }
    if (v.bytes >= best->bytes) {
        return false;
    }
    best_q = q;
    return true;
}

bool has_language(const Variant& v, std::string_view lang) {
    bool found = false;
    for_each_language(v.languages, [&](std::string_view tag) { found = found || tag == lang; });
    return found;
}

bool discarded_by_env(const Variant& v, int discard) {
    if (is_identity_encoding(v.encoding) || v.encoding == "identity") {
        return false;
    }
    return discard == 1 || (discard == 2 && !v.mime_type.starts_with("text/html"));
}

}  // namespace

void Variant::set_content_type(const AcceptItem& type) {
    mime_type = type.name;
    source_quality = type.quality;
    level = type.level;
    charset = type.charset;
    is_pseudo_html = mime_type == "text/html" || mime_type == kIncludesMagicType || mime_type == kIncludesMagicType3;
}

void Negotiation::read_headers(std::optional<std::string_view> accept, std::optional<std::string_view> encoding,
                               std::optional<std::string_view> charset, std::optional<std::string_view> language) {
    accepts = parse_accept_header(accept, arena);
    accept_q = false;
    if (accepts) {
        for (const AcceptItem& a : *accepts) {
            accept_q = accept_q || a.quality < 1.0f;
        }
    }
    accept_encodings = parse_accept_header(encoding, arena);
    accept_langs = parse_accept_header(language, arena);
    accept_charsets = parse_accept_header(charset, arena);
}

void Negotiation::read_negotiate(std::optional<std::string_view> negotiate, std::optional<std::string_view> user_agent) {
    ua_supports_trans = false;
    send_alternates = false;
    may_choose = true;
    use_rvsa = false;
    dont_fiddle_headers = false;
    if (!negotiate) {
        return;
    }
    // Lynx 2.7 and 2.8 send a bare "trans" without supporting it.
    if (*negotiate == "trans" && user_agent && user_agent->starts_with("Lynx")) {
        return;
    }
    may_choose = false;  // even an empty Negotiate asks for a list
    std::string_view rest = *negotiate;
    while (!rest.empty()) {
        std::size_t comma = rest.find(',');
        std::string_view tok = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        while (!tok.empty() && (tok.front() == ' ' || tok.front() == '\t')) {
            tok.remove_prefix(1);
        }
        while (!tok.empty() && (tok.back() == ' ' || tok.back() == '\t')) {
            tok.remove_suffix(1);
        }
        if (tok.empty()) {
            continue;
        }
        std::string lower(tok);
        for (char& c : lower) {
            c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        }
        if (lower == "trans" || lower == "vlist" || lower == "guess-small" || (lower[0] >= '0' && lower[0] <= '9') ||
            lower == "*") {
            ua_supports_trans = true;
            send_alternates = true;
            if (lower == "1.0") {
                may_choose = true;
                use_rvsa = true;
                dont_fiddle_headers = true;
            } else if (lower[0] == '*') {
                may_choose = true;
                dont_fiddle_headers = true;
            }
        }
    }
}

void Negotiation::add_default_accepts(bool prefer_scripts) {
    if (!accepts) {
        accepts.emplace(arena);
        accepts->push_back(AcceptItem{"*/*", 1.0f, 0.0f, {}});
    }
    const float q = use_rvsa ? 0.0f : prefer_scripts ? 2.0f : 0.001f;
    accepts->push_back(AcceptItem{kCgiMagicType, q, 0.0f, {}});
}

Outcome best_match(Negotiation& neg, std::span<Variant> variants, Variant*& best) {
    std::string_view preferred = neg.prefer_language;
    set_default_lang_quality(neg, variants);
    for (;;) {
        best = nullptr;
        float best_q = 0.0f;
        for (Variant& v : variants) {
            if (neg.discard_encodings != 0 && discarded_by_env(v, neg.discard_encodings)) {
                continue;
            }
            if (!preferred.empty() && !has_language(v, preferred)) {
                continue;
            }
            set_accept_quality(neg, v);
            if (!preferred.empty()) {
                v.lang_quality = 1.0f;
                v.definite = true;
            } else {
                set_language_quality(neg, v);
            }
            set_encoding_quality(neg, v);
            set_charset_quality(neg, v);
            if (neg.may_choose) {
                if (neg.use_rvsa ? is_better_rvsa(v, best, best_q) : is_better(v, best, best_q)) {
                    best = &v;
                }
            }
        }
        Outcome out;
        if (neg.use_rvsa) {
            out = best != nullptr && best->definite && best_q > 0.0f ? Outcome::Choice : Outcome::List;
        } else {
            out = best_q > 0.0f ? Outcome::Choice : Outcome::List;
        }
        if (!preferred.empty() && (best == nullptr || out != Outcome::Choice)) {
            preferred = {};  // no luck with the preferred language: negotiate over all
            continue;
        }
        return out;
    }
}

std::string escape_path_segment(std::string_view name) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(name.size());
    for (unsigned char c : name) {
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                           std::string_view("$-_.+!*'(),:@&=~").find(static_cast<char>(c)) != std::string_view::npos;
        if (plain && c != 0) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        }
    }
    return out;
}

namespace {

// httpd's "%1.3f" with trailing zeros cut ("1", "0.5", "0.25").
std::string short_quality(float q) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%1.3f", static_cast<double>(q));
    std::string s(buf);
    if (s.size() >= 5 && s[4] == '0') {
        s.resize(4);
        if (s[3] == '0') {
            s.resize(3);
            if (s[2] == '0') {
                s.resize(1);
            }
        }
    }
    return s;
}

void append_html_escaped(std::string& out, std::string_view s) {
    for (char c : s) {
        switch (c) {
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '&': out += "&amp;"; break;
            case '"': out += "&quot;"; break;
            default: out.push_back(c);
        }
    }
}

}  // namespace

NegotiatedHeaders negotiated_headers(const Negotiation& neg, std::span<const Variant> variants, Outcome outcome) {
    NegotiatedHeaders h;
    bool by_type = false;
    bool by_language = false;
    bool by_charset = false;
    bool by_encoding = false;
    for (std::size_t i = 0; i < variants.size(); ++i) {
        const Variant& v = variants[i];
        if (i > 0) {
            const Variant& first = variants[0];
            by_type = by_type || v.mime_type != first.mime_type;
            by_charset = by_charset || v.charset != first.charset;
            by_language = by_language || v.languages != first.languages;
            by_encoding = by_encoding || v.encoding != first.encoding;
        }
        if (!neg.send_alternates) {
            continue;
        }
        if (!h.alternates.empty()) {
            h.alternates += ", ";
        }
        h.alternates += "{\"" + escape_path_segment(v.file_name) + "\" " + short_quality(v.source_quality);
        if (!v.mime_type.empty()) {
            h.alternates.append(" {type ").append(v.mime_type).append("}");
        }
        if (!v.charset.empty()) {
            h.alternates.append(" {charset ").append(v.charset).append("}");
        }
        if (!v.languages.empty()) {
            h.alternates.append(" {language ").append(v.languages).append("}");
        }
        if (!v.encoding.empty()) {
            h.alternates.append(" {encoding ").append(v.encoding).append("}");
        }
        if (!v.has_handler && v.bytes >= 0) {
            h.alternates.append(" {length ").append(std::to_string(v.bytes)).append("}");
        }
        h.alternates += "}";
    }
    auto add = [&](bool on, std::string_view token) {
        if (on) {
            h.vary.append(h.vary.empty() ? "" : ",").append(token);
        }
    };
    add(neg.is_transparent, "negotiate");
    add(by_type, "accept");
    add(by_language, "accept-language");
    add(by_charset, "accept-charset");
    add(by_encoding, "accept-encoding");
    if (neg.is_transparent) {
        h.tcn = outcome == Outcome::List ? "list" : "choice";
    }
    return h;
}

std::string variant_list_html(std::span<const Variant> variants) {
    std::string out = "Available variants:\n<ul>\n";
    for (const Variant& v : variants) {
        out += "<li><a href=\"" + escape_path_segment(v.file_name) + "\">";
        append_html_escaped(out, v.file_name);
        out += "</a> ";
        out += v.description;
        if (!v.mime_type.empty()) {
            out.append(", type ").append(v.mime_type);
        }
        if (!v.languages.empty()) {
            out.append(", language ").append(v.languages);
        }
        if (!v.charset.empty()) {
            out.append(", charset ").append(v.charset);
        }
        if (!v.encoding.empty()) {
            out.append(", encoding ").append(v.encoding);
        }
        out += "</li>\n";
    }
    out += "</ul>\n";
    return out;
}

}  // namespace sonora::modules::mappers::negotiation
