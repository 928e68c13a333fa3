#pragma once
// Request limits of the HTTP/1.x core, named after the Apache directives that set them.

#include <cstdint>

namespace sonora::http {

// Values come from LimitRequestLine, LimitRequestFieldSize, LimitRequestFields and
// LimitRequestBody. The defaults are Apache 2.4's compiled-in defaults.
//
// Apache lets a line run one byte past the configured value (a request line of
// LimitRequestLine + 1 bytes, CRLF excluded, is still accepted); the parser reproduces
// that so that a configuration behaves the same under both servers. PROTOCOL_NOTES.md
// records the measurements.
struct Limits {
    std::uint32_t request_line = 8190;     // LimitRequestLine: bytes in the request line.
    std::uint32_t field_size = 8190;       // LimitRequestFieldSize: bytes in one header line.
    std::uint32_t fields = 100;            // LimitRequestFields: header lines (0 = unlimited).
    std::uint64_t body = 0;                // LimitRequestBody: body bytes (0 = unlimited).
    std::uint32_t blank_lines = 10;        // Empty lines tolerated before the request line.
};

}  // namespace sonora::http
