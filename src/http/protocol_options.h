#pragma once
// HttpProtocolOptions as the HTTP/1 core sees it. httpd reads a request's line and
// head under the address's default server (it knows no name-based virtual host
// yet) and never re-checks them under the virtual host the Host header then
// selects (measured: PROTOCOL_NOTES.md), so a connection sets these once.

#include <span>
#include <string>

namespace sonora::http {

struct ProtocolOptions {
    bool unsafe = false;              // Unsafe: httpd's relaxed request grammar (else Strict)
    bool registered_methods = false;  // RegisteredMethods: 501 for a method nobody registered
    bool allow_http09 = true;         // Allow0.9 (else Require1.0: a simple request is 400)
    // Methods registered beyond httpd's own (<Limit>, RegisterHttpMethod); read only
    // for an unknown method under RegisteredMethods. Must outlive the parser's use.
    std::span<const std::string> extra_methods;
};

}  // namespace sonora::http
