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

// httpd's method numbers (M_GET = 0 ... M_MERGE = 25), the bit positions of
// <Limit>/<LimitExcept> masks. HEAD counts as GET, as in httpd, so
// `<Limit GET>` covers HEAD. -1 for a token that is none of httpd's own;
// such methods get numbers from kFirstExtensionMethod on once a <Limit>
// names them, and every other one is kMethodInvalid.
using MethodMask = std::uint64_t;
inline constexpr MethodMask kAllMethods = ~MethodMask{0};
inline constexpr int kMethodInvalid = 26;
inline constexpr int kFirstExtensionMethod = 27;
inline constexpr int kMethodLimit = 64;
int method_number(std::string_view token);
inline constexpr MethodMask method_bit(int number) { return MethodMask{1} << number; }

}  // namespace sonora::http
