#pragma once
// The incremental, sans-I/O HTTP/1.x request-head parser.
//
// It reads the request line and header fields out of a caller-owned buffer and never
// reads a socket, allocates, or throws. Behaviour follows Apache 2.4 under the
// connection's `HttpProtocolOptions` (ProtocolOptions; the default is Strict
// LenientMethods Allow0.9); src/http/PROTOCOL_NOTES.md lists every rule with the
// status Apache answers.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "http/header_table.h"
#include "http/http_error.h"
#include "http/limits.h"
#include "http/protocol_options.h"
#include "http/request_line.h"

namespace sonora::http {

// A parsed request head. Every view points into the buffer given to the parser.
struct RequestHead {
    RequestLine line;
    HeaderTable headers;
};

enum class ParseStatus : std::uint8_t {
    kComplete,    // the head is parsed; `consumed` bytes belong to it
    kIncomplete,  // call again with more bytes (the same prefix plus what arrived)
    kError,       // `error` says what to answer; close the connection after it
};

struct ParseResult {
    ParseStatus status = ParseStatus::kIncomplete;
    std::size_t consumed = 0;  // kComplete: bytes of the head, leading blank lines included
    HttpError error;           // meaningful when status == kError
};

// One parser per connection, reused for each request with reset().
//
// Usage: call parse() with the buffer holding the request from its first byte; after
// kIncomplete append more bytes and call again with the longer buffer. Work already done
// is not repeated, so feeding a head byte by byte is linear. The buffer may move between
// calls (positions are stored as offsets) but the bytes already passed must stay the
// same, including any the parser rewrote.
//
// The parser rewrites bytes inside the head in one case: an obs-fold continuation line is
// joined to the preceding value with a single SP (as Apache does) by moving the
// continuation text left in place, so each value stays one contiguous view. Bytes after
// the head are never touched.
//
// Storage: `header_storage` receives one slot per header line and must outlive the
// parser. Give it at least `limits.fields` slots; a request with more headers than slots
// is refused like one over LimitRequestFields.
//
// Thread safety: none; a parser belongs to one connection.
class RequestParser {
  public:
    RequestParser(const Limits& limits, std::span<HeaderSlot> header_storage,
                  const ProtocolOptions& options = {});

    // For the connection's next requests (call between requests, not mid-head).
    void set_options(const ProtocolOptions& options) { options_ = options; }
    const ProtocolOptions& options() const { return options_; }

    // The request line is whole and the head is not: what httpd answers with 400
    // when the client closes here (before the request line it just closes).
    bool reading_headers() const { return stage_ == Stage::kHeaders; }

    ParseResult parse(char* data, std::size_t size);

    // The parsed head; valid after kComplete, until reset() or the buffer changes.
    const RequestHead& head() const { return head_; }

    // Prepares for the next request (pipelining: pass the bytes after `consumed`).
    void reset();

  private:
    enum class Stage : std::uint8_t { kRequestLine, kHeaders, kDone, kFailed };

    ParseResult fail(std::uint16_t status, std::string_view reason,
                     std::string_view note = {});
    ParseResult on_request_line(char* data, std::size_t begin, std::size_t end);
    ParseResult on_header_line(char* data, std::size_t begin, std::size_t end);
    ParseResult on_continuation(char* data, std::size_t begin, std::size_t end);
    ParseResult on_unusual_request_line(const RequestLine& line, const std::optional<HttpError>& err);
    bool registered(std::string_view method) const;
    std::uint8_t value_class() const;
    std::optional<HttpError> parse_line(std::string_view text, RequestLine& out) const {
        return options_.unsafe ? parse_request_line_unsafe(text, out) : parse_request_line(text, out);
    }
    ParseResult incomplete() const;
    void finish(const char* data);

    Limits limits_;
    ProtocolOptions options_;
    std::span<HeaderSlot> storage_;
    RequestHead head_;
    Stage stage_ = Stage::kRequestLine;
    std::size_t pos_ = 0;  // start of the first line not yet parsed
    std::uint32_t blank_lines_ = 0;
    // Request-line views are kept as offsets until the head is complete.
    std::size_t line_offset_ = 0;
    std::size_t line_length_ = 0;
    ParseResult error_;
};

}  // namespace sonora::http
