#pragma once
// Pre-classified request header names, so that the request path looks a header up by
// an enum index instead of comparing names.

#include <cstdint>
#include <string_view>

namespace sonora::http {

// The headers the server core and the standard modules consult. Anything else is
// kOther and is found by name.
enum class HeaderId : std::uint8_t {
    kOther = 0,
    kHost,
    kContentLength,
    kTransferEncoding,
    kConnection,
    kKeepAlive,
    kExpect,
    kUpgrade,
    kTe,
    kTrailer,
    kIfMatch,
    kIfNoneMatch,
    kIfModifiedSince,
    kIfUnmodifiedSince,
    kIfRange,
    kRange,
    kContentType,
    kContentEncoding,
    kAccept,
    kAcceptEncoding,
    kAcceptLanguage,
    kAcceptCharset,
    kAuthorization,
    kProxyAuthorization,
    kCookie,
    kUserAgent,
    kReferer,
    kCacheControl,
    kPragma,
    kVia,
    kXForwardedFor,
    kOrigin,
    kCount  // number of ids; not a header
};

inline constexpr std::size_t kHeaderIdCount = static_cast<std::size_t>(HeaderId::kCount);

// Classifies a header name, ASCII case-insensitively. Never fails: unknown names are
// kOther. Pure function, thread-safe.
HeaderId classify_header(std::string_view name);

// The canonical spelling of `id` ("Content-Length"); empty for kOther and kCount.
std::string_view header_name(HeaderId id);

// ASCII case-insensitive equality, the comparison HTTP uses for names and tokens.
bool equals_token(std::string_view a, std::string_view b);

}  // namespace sonora::http
