#pragma once
// Decoding a chunked request body (RFC 9112 7.1) incrementally, as the bytes
// arrive, in httpd's strict way: hex sizes without overflow (an oversized
// chunk is 413, as httpd answers), CRLF after each size line and each chunk,
// optional extensions and trailers. The data itself is only counted: Sonora's
// handlers do not read request bodies yet, so they are discarded.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sonora::net {

class ChunkedDecoder {
public:
    enum class Status { NeedMore, Done, Error };

    // Consumes from `data`; `consumed` says how much. On Error, `http_status`
    // is 400 or 413.
    Status feed(std::string_view data, std::size_t& consumed);
    int http_status() const { return http_status_; }
    std::uint64_t body_bytes() const { return body_bytes_; }
    void reset() { *this = ChunkedDecoder(); }

private:
    enum class State { Size, Extension, SizeLf, Data, DataCr, DataLf, TrailerStart, Trailer, TrailerLf, FinalLf, Done };

    Status fail(int status) {
        http_status_ = status;
        return Status::Error;
    }

    State state_ = State::Size;
    std::uint64_t chunk_left_ = 0;
    int size_digits_ = 0;
    std::uint64_t body_bytes_ = 0;
    std::size_t line_bytes_ = 0;
    int http_status_ = 0;
};

}  // namespace sonora::net
