#pragma once
// Framing bytes for chunked response bodies, to be sent with writev around the payload
// so the payload itself is never copied.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sonora::http {

// Enough for 16 hex digits and CRLF.
inline constexpr std::size_t kMaxChunkHeader = 18;

// Writes "<size in lowercase hex>\r\n" into `out` and returns its length. `size` must
// be non-zero: a zero-sized chunk would end the body (use kLastChunk for that).
std::size_t format_chunk_header(std::uint64_t size, char (&out)[kMaxChunkHeader]);

// Sent after each chunk's data.
inline constexpr std::string_view kChunkEnd = "\r\n";
// The last chunk with an empty trailer section: ends the body.
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";
// The last chunk when trailer fields follow: send this, the fields ("Name: value\r\n"
// each), then kChunkEnd.
inline constexpr std::string_view kLastChunkWithTrailers = "0\r\n";

}  // namespace sonora::http
