// Parsing behind the generic typed setters of sonora/directive.h.

#include <sonora/directive.h>

#include <charconv>

namespace sonora::detail {

CmdResult parse_int(std::string_view name, std::string_view text, long long min, long long max, long long& out) {
    long long v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v < min || v > max) {
        return std::string(name) + " must be an integer between " + std::to_string(min) + " and " +
               std::to_string(max) + ", not '" + std::string(text) + "'";
    }
    out = v;
    return std::nullopt;
}

CmdResult parse_size(std::string_view name, std::string_view text, unsigned long long& out) {
    unsigned long long v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || text.front() == '-' || ec != std::errc() || end != text.data() + text.size()) {
        return std::string(name) + " requires a non-negative integer.";
    }
    out = v;
    return std::nullopt;
}

}  // namespace sonora::detail
