#include "modules/generators/mod_status_options.h"

#include <climits>

namespace sonora::modules::generators::status {

namespace {

constexpr long kDefaultRefresh = 10;

// C's atol: leading blanks, a sign, then digits; anything else ends it.
// Saturates instead of overflowing.
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

}  // namespace

Options parse_options(std::string_view query) {
    Options o;
    constexpr std::string_view kRefresh = "refresh";
    if (auto at = query.find(kRefresh); at != std::string_view::npos) {
        std::string_view rest = query.substr(at + kRefresh.size());
        long seconds = !rest.empty() && rest.front() == '=' ? leading_number(rest.substr(1)) : 0;
        o.refresh = seconds < 1 ? kDefaultRefresh : seconds;
    }
    o.notable = query.find("notable") != std::string_view::npos;
    o.machine = query.find("auto") != std::string_view::npos;
    return o;
}

}  // namespace sonora::modules::generators::status
