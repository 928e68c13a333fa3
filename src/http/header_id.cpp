#include "http/header_id.h"

#include <array>

#include "http/char_class.h"

namespace sonora::http {
namespace {

constexpr std::array<std::string_view, kHeaderIdCount> kNames = {
    "",
    "Host",
    "Content-Length",
    "Transfer-Encoding",
    "Connection",
    "Keep-Alive",
    "Expect",
    "Upgrade",
    "TE",
    "Trailer",
    "If-Match",
    "If-None-Match",
    "If-Modified-Since",
    "If-Unmodified-Since",
    "If-Range",
    "Range",
    "Content-Type",
    "Content-Encoding",
    "Accept",
    "Accept-Encoding",
    "Accept-Language",
    "Accept-Charset",
    "Authorization",
    "Proxy-Authorization",
    "Cookie",
    "User-Agent",
    "Referer",
    "Cache-Control",
    "Pragma",
    "Via",
    "X-Forwarded-For",
    "Origin",
};

}  // namespace

bool equals_token(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (detail::ascii_lower(a[i]) != detail::ascii_lower(b[i])) {
            return false;
        }
    }
    return true;
}

HeaderId classify_header(std::string_view name) {
    // The length check rejects almost every candidate before a byte is compared.
    for (std::size_t i = 1; i < kHeaderIdCount; ++i) {
        if (kNames[i].size() == name.size() && equals_token(kNames[i], name)) {
            return static_cast<HeaderId>(i);
        }
    }
    return HeaderId::kOther;
}

std::string_view header_name(HeaderId id) {
    const auto i = static_cast<std::size_t>(id);
    return i < kHeaderIdCount ? kNames[i] : std::string_view{};
}

}  // namespace sonora::http
