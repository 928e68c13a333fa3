#pragma once
// The error value every parser in the HTTP/1.x core returns: a status for the response
// and a short, static reason for the debug log.

#include <cstdint>
#include <string_view>

namespace sonora::http {

// `status` is the HTTP status Apache answers with (400, 413, 414, 417, 501 ...).
// `reason` points to static storage; it is for logs, never sent to the client.
// `note` is the extra sentence Apache puts in its error page for this condition (for
// example "Size of a request header field exceeds server limit."), or empty.
struct HttpError {
    std::uint16_t status = 0;
    std::string_view reason;
    std::string_view note;
};

// Apache's error-page sentences for the limit errors (ap_send_error_response texts).
inline constexpr std::string_view kNoteFieldTooLarge =
    "Size of a request header field exceeds server limit.";
inline constexpr std::string_view kNoteTooManyFields =
    "The number of request header fields exceeds this server's limit.";

}  // namespace sonora::http
