#pragma once
// Incremental decoder for the chunked transfer coding of request bodies.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/http_error.h"
#include "http/limits.h"

namespace sonora::http {

enum class ChunkStatus : std::uint8_t {
    kData,      // `data` holds decoded body bytes (a view into the input)
    kNeedMore,  // the input was used up; call again with the next bytes
    kDone,      // the last chunk and the trailer section are complete
    kError,     // `error` says what to answer; the connection must close
};

struct ChunkStep {
    ChunkStatus status = ChunkStatus::kNeedMore;
    std::size_t consumed = 0;  // input bytes used by this step (framing + data)
    std::string_view data;     // kData only
    HttpError error;           // kError only
};

struct ChunkDecodeResult {
    ChunkStatus status = ChunkStatus::kNeedMore;  // kNeedMore, kDone or kError
    std::size_t consumed = 0;  // input bytes used; on kDone the rest is the next request
    std::size_t produced = 0;  // decoded bytes now at the start of the buffer
    HttpError error;
};

// A state machine fed arbitrary splits of the body: any byte boundary is fine and no
// input is buffered inside the decoder (it keeps a few integers of state).
//
// Accepted, as Apache 2.4 accepts: hex sizes of any length with leading zeros, upper or
// lower case, optional SP/HTAB after the size, chunk extensions (skipped), trailer
// fields (validated and skipped). Refused:
//   400 no hex digit, junk in the size line, whitespace before the size, a bare LF
//       anywhere, data not followed by CRLF, a malformed trailer field, an extension
//       longer than kMaxExtension;
//   413 a size above 2^63-1, or a body over limits.body (when non-zero);
//   400/431-like limits on trailers follow limits.field_size and limits.fields (400).
//
// Not thread-safe; one decoder per request body. reset() before the next body.
class ChunkedDecoder {
  public:
    static constexpr std::size_t kMaxExtension = 4096;

    explicit ChunkedDecoder(const Limits& limits) : limits_(limits) {}

    // Advances over `input` until it yields data, needs more, finishes or fails.
    // Zero-copy: returned data views point into `input`.
    ChunkStep next(std::string_view input);

    // Decodes all of [data, data + size) in place: payload bytes are moved to the
    // front of the buffer. Stops early at kDone (consumed < size if a pipelined
    // request follows) or kError.
    ChunkDecodeResult decode_in_place(char* data, std::size_t size);

    bool done() const { return state_ == State::kDone; }
    std::uint64_t body_bytes() const { return total_; }
    void reset();

  private:
    enum class State : std::uint8_t {
        kSizeStart,
        kSize,
        kSizeBws,
        kExtension,
        kSizeLf,
        kData,
        kDataCr,
        kDataLf,
        kTrailerStart,
        kTrailerName,
        kTrailerValue,
        kTrailerLf,
        kFinalLf,
        kDone,
        kError,
    };

    ChunkStep fail(std::size_t consumed, std::uint16_t status, std::string_view reason);
    // Consumes one framing byte; returns false (with *err set) on a protocol error.
    bool step(char c, ChunkStep& err, std::size_t consumed);
    bool on_size_line_end(ChunkStep& err, std::size_t consumed);
    bool on_trailer_byte(char c, ChunkStep& err, std::size_t consumed);

    Limits limits_;
    State state_ = State::kSizeStart;
    std::uint64_t chunk_size_ = 0;   // size being parsed, then bytes left in the chunk
    std::uint64_t total_ = 0;        // decoded bytes so far
    std::size_t line_length_ = 0;    // extension or trailer line length
    std::uint32_t trailer_fields_ = 0;
    ChunkStep error_;
};

}  // namespace sonora::http
