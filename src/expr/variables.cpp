#include "expr/variables.h"

#include <array>
#include <cstddef>

#include "core/strings.h"

namespace sonora::expr {
namespace {

struct VarSpec {
    std::string_view name;
    std::string_view header;
};

// Indexed by Var; order must follow the enum.
constexpr std::array<VarSpec, static_cast<std::size_t>(Var::kCount)> kVars{{
    {"HTTP_ACCEPT", "Accept"},
    {"HTTP_COOKIE", "Cookie"},
    {"HTTP_FORWARDED", "Forwarded"},
    {"HTTP_HOST", "Host"},
    {"HTTP_PROXY_CONNECTION", "Proxy-Connection"},
    {"HTTP_REFERER", "Referer"},
    {"HTTP_USER_AGENT", "User-Agent"},
    {"REQUEST_METHOD", ""},
    {"REQUEST_SCHEME", ""},
    {"REQUEST_URI", ""},
    {"DOCUMENT_URI", ""},
    {"REQUEST_FILENAME", ""},
    {"SCRIPT_FILENAME", ""},
    {"LAST_MODIFIED", ""},
    {"SCRIPT_USER", ""},
    {"SCRIPT_GROUP", ""},
    {"PATH_INFO", ""},
    {"QUERY_STRING", ""},
    {"IS_SUBREQ", ""},
    {"THE_REQUEST", ""},
    {"REMOTE_ADDR", ""},
    {"REMOTE_PORT", ""},
    {"REMOTE_HOST", ""},
    {"REMOTE_USER", ""},
    {"REMOTE_IDENT", ""},
    {"SERVER_NAME", ""},
    {"SERVER_PORT", ""},
    {"SERVER_ADMIN", ""},
    {"SERVER_PROTOCOL", ""},
    {"DOCUMENT_ROOT", ""},
    {"AUTH_TYPE", ""},
    {"CONTENT_TYPE", ""},
    {"HANDLER", ""},
    {"HTTP2", ""},
    {"HTTPS", ""},
    {"IPV6", ""},
    {"REQUEST_STATUS", ""},
    {"REQUEST_LOG_ID", ""},
    {"CONN_LOG_ID", ""},
    {"CONN_REMOTE_ADDR", ""},
    {"CONTEXT_PREFIX", ""},
    {"CONTEXT_DOCUMENT_ROOT", ""},
    {"TIME_YEAR", ""},
    {"TIME_MON", ""},
    {"TIME_DAY", ""},
    {"TIME_HOUR", ""},
    {"TIME_MIN", ""},
    {"TIME_SEC", ""},
    {"TIME_WDAY", ""},
    {"TIME", ""},
    {"SERVER_SOFTWARE", ""},
    {"API_VERSION", ""},
}};

}  // namespace

std::optional<Var> find_variable(std::string_view name) {
    for (std::size_t i = 0; i < kVars.size(); ++i) {
        if (equals_nocase(kVars[i].name, name)) {
            return static_cast<Var>(i);
        }
    }
    return std::nullopt;
}

std::string_view variable_name(Var v) {
    auto i = static_cast<std::size_t>(v);
    return i < kVars.size() ? kVars[i].name : std::string_view();
}

std::string_view variable_header(Var v) {
    auto i = static_cast<std::size_t>(v);
    return i < kVars.size() ? kVars[i].header : std::string_view();
}

}  // namespace sonora::expr
