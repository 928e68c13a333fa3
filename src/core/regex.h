#pragma once
// PCRE2 wrapper for configuration regexes (<DirectoryMatch>, <FilesMatch>, ...).
// Compiled once at configuration time, JIT-compiled where available; matching
// is const and thread-safe given a per-call match data block.

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sonora {

class Regex {
public:
    // kDotAll and kDollarEndOnly are httpd's RegexDefaultOptions (DOTALL
    // DOLLAR_ENDONLY), which ap_pregcomp applies to mod_rewrite's patterns.
    enum Flags : unsigned { kNone = 0, kCaseless = 1u << 0, kDotAll = 1u << 1, kDollarEndOnly = 1u << 2 };

    // Returns nullopt and fills *error on a pattern PCRE2 rejects.
    static std::optional<Regex> compile(std::string_view pattern, unsigned flags = kNone,
                                        std::string* error = nullptr);

    bool matches(std::string_view subject) const;
    // Matches and fills `groups` with $0..$N (empty views for groups that
    // did not take part). Allocates: for configuration-driven paths only.
    bool match(std::string_view subject, std::vector<std::string_view>& groups) const;
    // A group's offsets in the subject; {-1, -1} when it took no part.
    struct Span {
        std::ptrdiff_t begin = -1;
        std::ptrdiff_t end = -1;
    };
    // Matches and fills spans[0..] with $0 and the groups that fit (httpd's
    // AP_MAX_REG_MATCH: at most spans.size() of them); the rest stay unset.
    // Allocates nothing: the match block is per thread, for request paths.
    // A match that fails on PCRE2's match limit counts as no match.
    bool match_spans(std::string_view subject, std::span<Span> spans) const;
    const std::string& pattern() const { return pattern_; }
    std::size_t capture_count() const { return captures_; }
    // The pattern's named groups, (?<name>...), with their numbers.
    struct NamedGroup {
        std::string name;
        std::size_t number = 0;
    };
    std::vector<NamedGroup> named_groups() const;

private:
    struct Code;
    Regex(std::shared_ptr<const Code> code, std::string pattern, std::size_t captures)
        : code_(std::move(code)), pattern_(std::move(pattern)), captures_(captures) {}

    std::shared_ptr<const Code> code_;
    std::string pattern_;
    std::size_t captures_ = 0;
};

// httpd's ap_pregsub: $0..$9 in `templ` become the match groups (empty when
// a group took no part); a backslash makes the next character literal.
std::string substitute_groups(std::string_view templ, const std::vector<std::string_view>& groups);

}  // namespace sonora
