#pragma once
// Small PCRE2 wrapper for ap_expr regexes. sonora::Regex (core/regex.h) only
// answers "does it match"; expressions also need the capture groups for the
// $0..$9 back-references, so this wrapper exposes them.
// TODO(expr): fold into sonora::Regex once it grows a capture API.

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sonora::expr {

// Captured substrings of the last successful match: $0 is the whole match.
struct Backrefs {
    static constexpr int kMax = 10;
    std::array<std::string, kMax> group{};
    std::array<bool, kMax> set{};
};

class ExprRegex {
public:
    // Returns nullopt and fills *error with PCRE2's message on a bad pattern.
    static std::optional<ExprRegex> compile(std::string_view pattern, bool caseless,
                                            std::string* error);

    // Thread-safe (allocates its own match data). On a match, fills *refs
    // (when non-null) with groups 0..9.
    bool match(std::string_view subject, Backrefs* refs) const;

    const std::string& pattern() const { return pattern_; }
    bool caseless() const { return caseless_; }

private:
    struct Code;
    ExprRegex(std::shared_ptr<const Code> code, std::string pattern, bool caseless)
        : code_(std::move(code)), pattern_(std::move(pattern)), caseless_(caseless) {}

    std::shared_ptr<const Code> code_;
    std::string pattern_;
    bool caseless_ = false;
};

}  // namespace sonora::expr
