#pragma once
// Request methods. Apache's default `HttpProtocolOptions LenientMethods` accepts any
// token as a method at parse time; the core later answers 501 for methods no handler
// knows. The enum names the ones httpd registers itself (M_GET ... M_UNLOCK).

#include <cstdint>
#include <string_view>

namespace sonora::http {

enum class Method : std::uint8_t {
    kUnknown = 0,  // a syntactically valid token httpd does not register (501 later)
    kGet,
    kHead,
    kPost,
    kPut,
    kDelete,
    kConnect,
    kOptions,
    kTrace,
    kPatch,
    kPropfind,
    kProppatch,
    kMkcol,
    kCopy,
    kMove,
    kLock,
    kUnlock,
};

// Case-sensitive, as methods are: "get" is kUnknown (Apache answers it with 501).
Method classify_method(std::string_view token);

// The canonical token of `m`; empty for kUnknown.
std::string_view method_name(Method m);

}  // namespace sonora::http
