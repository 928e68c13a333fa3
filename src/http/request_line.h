#pragma once
// Parsing of one HTTP/1.x request line, `method SP request-target SP HTTP-version`,
// with Apache 2.4's `HttpProtocolOptions Strict` rules or its relaxed `Unsafe` ones.
// Allow0.9/Require1.0 and RegisteredMethods are the parser's (request_parser.h).

#include <cstdint>
#include <optional>
#include <string_view>

#include "http/http_error.h"
#include "http/method.h"

namespace sonora::http {

// RFC 9112 section 3.2 request-target forms.
enum class TargetForm : std::uint8_t {
    kOrigin,     // "/path?query"
    kAbsolute,   // "http://host/path" (Apache serves it, taking the host from it)
    kAuthority,  // "host:port", only with CONNECT
    kAsterisk,   // "*", only with OPTIONS
};

struct RequestLine {
    std::string_view method;
    Method method_id = Method::kUnknown;
    std::string_view target;
    TargetForm form = TargetForm::kOrigin;
    std::uint8_t version_major = 1;
    std::uint8_t version_minor = 1;
    bool http09 = false;  // "GET /path" with no version: an HTTP/0.9 simple request
    // The line's grammar held up to the target; only the target's form may have
    // failed (httpd answers RegisteredMethods' 501 before such a target's 400).
    bool well_formed = false;

    // Apache's r->proto_num: major * 1000 + minor.
    int proto_num() const { return version_major * 1000 + version_minor; }
};

// Parses `line` (the request line without its CRLF). On success fills `out` with views
// into `line` and returns nullopt; otherwise returns the 400 Apache gives. Length limits
// are the caller's (the parser checks LimitRequestLine before calling this).
std::optional<HttpError> parse_request_line(std::string_view line, RequestLine& out);

// The same under `HttpProtocolOptions Unsafe`, as httpd relaxes it: any visible or
// obs-text byte in the method, runs of SP between the parts and after the version,
// the version's "HTTP" in any case, a fragment (dropped from the target), and a
// simple request with any method.
std::optional<HttpError> parse_request_line_unsafe(std::string_view line, RequestLine& out);

}  // namespace sonora::http
