#pragma once
// gzip decoding for mod_deflate's INFLATE output filter and its DEFLATE input
// filter (request bodies), with the input filter's limits:
//   - `limit`: the most inflated bytes allowed (DeflateInflateLimitRequestBody;
//     0: none);
//   - `ratio_limit` and `ratio_burst`: after each `check_every` inflated
//     bytes (httpd checks once per output buffer, DeflateBufferSize), the
//     ratio inflated/deflated so far (integer division) is compared with the
//     limit; a check at or above it is a hit, one below resets the count, and
//     more than `ratio_burst` hits in a row stop the stream
//     (DeflateInflateRatioLimit, DeflateInflateRatioBurst; 0: no ratio check).
// The header is checked as httpd checks it (magic, method 8, no reserved
// flag bits; FEXTRA, FNAME, FCOMMENT, FHCRC are skipped), then a raw deflate
// stream, then the CRC-32 and size trailer, which must match.

#include <zlib.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace sonora::modules::filters::compress {

struct InflateLimits {
    std::uint64_t limit = 0;
    int ratio_limit = 0;
    int ratio_burst = 0;
    std::size_t check_every = 8096;
};

class GzipInflater {
public:
    enum class Status : std::uint8_t {
        NeedMore,     // everything given was taken; the stream goes on
        Done,         // the trailer matched; bytes after it are ignored (see trailing())
        BadHeader,    // not gzip, or a header httpd refuses
        BadData,      // zlib error, or a trailer that does not match
        TooLarge,     // more than `limit` inflated bytes
        RatioExceeded,
    };

    explicit GzipInflater(const InflateLimits& limits = {});
    ~GzipInflater();
    GzipInflater(const GzipInflater&) = delete;
    GzipInflater& operator=(const GzipInflater&) = delete;

    // Decodes `in`, appending inflated bytes to `out`. After a status other
    // than NeedMore the inflater takes nothing more.
    Status feed(std::string_view in, std::string& out);
    // The stream ended (no more input): BadData unless it was Done.
    Status finish() const;

    std::uint64_t total_in() const { return consumed_; }
    std::uint64_t total_out() const { return stream_.total_out; }
    std::size_t trailing() const { return trailing_; }

private:
    enum class Stage : std::uint8_t { Header, Body, Trailer, Ended };
    Status take_header(std::string_view& in);
    Status inflate_some(std::string_view& in, std::string& out);
    Status take_trailer(std::string_view& in);
    Status check_limits();

    InflateLimits limits_;
    z_stream stream_{};
    bool zlib_ok_ = false;
    Stage stage_ = Stage::Header;
    Status status_ = Status::NeedMore;
    std::string held_;  // header or trailer bytes seen so far
    uLong crc_ = 0;
    std::uint64_t consumed_ = 0;  // compressed bytes taken, framing included
    std::uint64_t next_check_ = 0;
    int ratio_hits_ = 0;
    std::size_t trailing_ = 0;
};

}  // namespace sonora::modules::filters::compress
