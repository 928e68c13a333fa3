#include "modules/generators/mod_status_options.h"

#include "core/strings.h"

namespace sonora::modules::generators::status {

namespace {

constexpr long kDefaultRefresh = 10;

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
