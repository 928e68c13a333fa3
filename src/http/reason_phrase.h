#pragma once
// Apache 2.4's reason phrases (its status_lines table), recorded from the real server.

#include <cstdint>
#include <string_view>

namespace sonora::http {

// The reason phrase Apache sends for `status`, e.g. 414 -> "Request-URI Too Long";
// empty if Apache has no entry for the code (418, 499, 600 ...).
std::string_view reason_phrase(int status);

// The complete status text Apache puts after "HTTP/1.1 " for a code it knows:
// "404 Not Found"; empty for other codes. Apache sends an unknown code in 100-999 with
// an empty reason ("HTTP/1.1 299 "), which ResponseHeadWriter::status() reproduces.
std::string_view status_line(int status);

}  // namespace sonora::http
