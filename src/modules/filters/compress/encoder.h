#pragma once
// A streaming compressor as the compression filters drive it (sans-I/O: bytes
// in, bytes appended to a string out). mod_deflate's gzip and mod_brotli's br
// implement it; the filter decides when output is passed on.

#include <cstdint>
#include <string>
#include <string_view>

namespace sonora::modules::filters::compress {

class Encoder {
public:
    virtual ~Encoder() = default;
    // Takes all of `in`, appending whatever the codec emits now (it may hold
    // everything until finish()).
    virtual void compress(std::string_view in, std::string& out) = 0;
    // Ends the stream: appends everything held and the stream's trailer.
    virtual void finish(std::string& out) = 0;
    // Bytes taken so far.
    virtual std::uint64_t total_in() const = 0;
    // Compressed bytes the module's notes count (mod_deflate counts the raw
    // deflate stream without the gzip header and trailer; mod_brotli all).
    virtual std::uint64_t total_out() const = 0;
};

}  // namespace sonora::modules::filters::compress
