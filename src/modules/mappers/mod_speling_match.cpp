// mod_speling's candidate matching: which names of a directory may be what
// the client meant, and how good each guess is (httpd's spdist and its
// directory scan).

#include "core/strings.h"
#include "modules/mappers/mod_speling.h"

#include <algorithm>

namespace sonora::modules::mappers::speling {

namespace {

// ASCII only, as httpd's apr_tolower in the C locale: bytes of UTF-8 names
// compare as they are.
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// The length of a name before its first dot (all of it without one).
std::size_t base_length(std::string_view name) {
    const std::size_t dot = name.find('.');
    return dot == std::string_view::npos ? name.size() : dot;
}

}  // namespace

std::string_view reason(Quality q) {
    switch (q) {
        case Quality::Identical: return "identical";
        case Quality::Miscapitalized: return "miscapitalized";
        case Quality::Transposition: return "transposed characters";
        case Quality::MissingChar: return "character missing";
        case Quality::ExtraChar: return "extra character";
        case Quality::SimpleTypo: return "mistyped character";
        case Quality::VeryDifferent: break;
    }
    return "common basename";
}

Quality distance(std::string_view requested, std::string_view entry) {
    std::size_t i = 0;
    while (i < requested.size() && i < entry.size() && lower(requested[i]) == lower(entry[i])) {
        ++i;
    }
    const std::string_view s = requested.substr(i);
    const std::string_view t = entry.substr(i);
    if (s.empty() && t.empty()) {
        return Quality::Miscapitalized;
    }
    if (!s.empty()) {
        if (!t.empty()) {
            if (s.size() >= 2 && t.size() >= 2 && lower(s[0]) == lower(t[1]) && lower(s[1]) == lower(t[0]) &&
                equals_nocase(s.substr(2), t.substr(2))) {
                return Quality::Transposition;
            }
            if (equals_nocase(s.substr(1), t.substr(1))) {
                return Quality::SimpleTypo;
            }
        }
        if (equals_nocase(s.substr(1), t)) {
            return Quality::ExtraChar;
        }
    }
    if (!t.empty() && equals_nocase(s, t.substr(1))) {
        return Quality::MissingChar;
    }
    return Quality::VeryDifferent;
}

Matches match_entries(std::string_view requested, const std::vector<std::string>& entries, bool case_only,
                      bool basename_match) {
    Matches out;
    const std::size_t base = base_length(requested);
    for (const std::string& name : entries) {
        if (name == requested) {
            out.exact = true;
            out.candidates.clear();
            return out;
        }
        if (equals_nocase(name, requested)) {
            out.candidates.push_back({name, Quality::Miscapitalized});
            continue;
        }
        if (!case_only) {
            if (const Quality q = distance(requested, name); q != Quality::VeryDifferent) {
                out.candidates.push_back({name, q});
                continue;
            }
        }
        // Only the part before the first dot counts; a request starting with
        // a dot therefore matches every dot file, "." and ".." among them, as
        // in httpd.
        if (basename_match && base_length(name) == base &&
            equals_nocase(std::string_view(name).substr(0, base), requested.substr(0, base))) {
            out.candidates.push_back({name, Quality::VeryDifferent});
        }
    }
    std::stable_sort(out.candidates.begin(), out.candidates.end(),
                     [](const Candidate& a, const Candidate& b) { return a.quality < b.quality; });
    return out;
}

bool redirects(const std::vector<Candidate>& candidates) {
    return !candidates.empty() && candidates[0].quality != Quality::VeryDifferent &&
           (candidates.size() == 1 || candidates[0].quality != candidates[1].quality);
}

}  // namespace sonora::modules::mappers::speling
