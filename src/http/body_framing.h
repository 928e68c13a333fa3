#pragma once
// How the request body is delimited (RFC 9112 section 6.3, as Apache 2.4 applies it).

#include <cstdint>
#include <variant>

#include "http/http_error.h"
#include "http/limits.h"
#include "http/request_parser.h"

namespace sonora::http {

struct BodyFraming {
    enum class Kind : std::uint8_t {
        kNone,     // no body (neither Content-Length nor Transfer-Encoding)
        kLength,   // exactly `length` bytes follow the head
        kChunked,  // chunked; decode with ChunkedDecoder
    };
    Kind kind = Kind::kNone;
    std::uint64_t length = 0;
    // Set when both Transfer-Encoding and Content-Length arrived: Apache ignores the
    // Content-Length, reads the chunked body and closes the connection afterwards.
    bool must_close = false;
};

// Decides the framing of `head`'s body. Errors (Apache's statuses):
//   400 Transfer-Encoding whose final coding is not "chunked" (Apache says 400, not 501);
//   400 Content-Length repeated (even with equal values), a list, non-digits, empty,
//       or above 2^63-1;
//   413 Content-Length above limits.body (when non-zero).
// A chunked body is checked against LimitRequestBody by ChunkedDecoder.
std::variant<BodyFraming, HttpError> decide_body_framing(const RequestHead& head,
                                                         const Limits& limits);

// Parses a Content-Length value: 1*DIGIT (leading zeros allowed), at most 2^63-1.
// Returns false for anything else. OWS was trimmed by the parser.
bool parse_content_length(std::string_view value, std::uint64_t& out);

}  // namespace sonora::http
