#pragma once
// Checks Apache applies to a complete request head before any module sees it
// (ap_read_request): the Host header, Expect, and the connection options.

#include <cstdint>
#include <optional>
#include <string_view>

#include "http/http_error.h"
#include "http/request_parser.h"

namespace sonora::http {

// 400 when an HTTP/1.1 (or later) request has no Host or an empty one, when Host is
// repeated (Apache joins the values with ", " and the result is not a host name), or
// when its value is not `host[:port]` with host a DNS name, IPv4 address or [IPv6]
// literal. HTTP/1.0 and 0.9 requests may omit Host. `unsafe`: HttpProtocolOptions
// Unsafe's rules (is_valid_host_unsafe) for the joined value. An absolute-form target
// names the host itself: httpd then only asks that an HTTP/1.1 request has a Host
// header, whatever it holds.
std::optional<HttpError> check_host(const RequestHead& head, bool unsafe = false);

// Validates a Host value (or an absolute URI's authority) with Apache's `Strict` rules
// (letters, digits, '-', '.', '_', digits-and-dots only as a dotted quad without leading
// zeros, a last label starting with a letter; or a bracketed IPv6 literal that parses;
// optional ":port", port 1-65535).
bool is_valid_host(std::string_view host);

// Apache's rules under `HttpProtocolOptions Unsafe`: a value ending in ":digits" has
// that port (1-65535) and a non-empty name before it, any other value is all name; a
// name may hold any byte but '/', '\' and "..". A bracketed IPv6 literal must still
// parse.
bool is_valid_host_unsafe(std::string_view host);

// An absolute-form target's authority: under Strict the host rules above (userinfo is
// refused); under Unsafe userinfo is dropped, the port (after the first ':') must be
// digits and the name pass the Unsafe rules.
bool is_valid_authority(std::string_view authority, bool unsafe);

// Expect: "100-continue" (any case) is the only expectation; anything else is 417,
// whatever the protocol version. Returns whether the client waits for a 100 Continue
// (only HTTP/1.1 and later are sent one).
std::optional<HttpError> check_expect(const RequestHead& head, bool& expects_continue);

// The Connection header's tokens that matter to the core.
struct ConnectionOptions {
    bool close = false;
    bool keep_alive = false;
    bool upgrade = false;
};
ConnectionOptions parse_connection(const RequestHead& head);

// Whether the client allows the connection to stay open after this response: HTTP/1.1
// unless "close"; HTTP/1.0 only with "keep-alive"; never for HTTP/0.9. The server's
// own KeepAlive settings are applied by the caller.
bool client_allows_keep_alive(const RequestHead& head);

}  // namespace sonora::http
