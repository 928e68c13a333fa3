#pragma once
// gzip as mod_deflate writes it: its own fixed 10-byte header (no mtime, no
// name, OS "Unix"), a raw deflate stream from zlib with the configured level,
// window and memory level, then CRC-32 and the input size mod 2^32, both
// little-endian. Byte for byte what httpd sends for the same input and
// settings (zlib is deterministic for a given version and parameters).

#include "modules/filters/compress/encoder.h"

#include <zlib.h>

#include <array>

namespace sonora::modules::filters::compress {

struct GzipSettings {
    int level = Z_DEFAULT_COMPRESSION;  // DeflateCompressionLevel; zlib's default is 6
    int window_bits = 15;               // DeflateWindowSize; zlib refuses a raw window below 9
    int mem_level = 9;                  // DeflateMemLevel
};

inline constexpr std::array<unsigned char, 10> kGzipHeader = {0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0x03};

class GzipEncoder final : public Encoder {
public:
    explicit GzipEncoder(const GzipSettings& settings);
    ~GzipEncoder() override;
    GzipEncoder(const GzipEncoder&) = delete;
    GzipEncoder& operator=(const GzipEncoder&) = delete;

    // False when zlib refused the settings (httpd then lets the body through).
    bool ok() const { return ok_; }

    void compress(std::string_view in, std::string& out) override;
    void finish(std::string& out) override;
    std::uint64_t total_in() const override { return stream_.total_in; }
    std::uint64_t total_out() const override { return stream_.total_out; }

private:
    void run(std::string_view in, int flush, std::string& out);

    z_stream stream_{};
    uLong crc_ = 0;
    bool ok_ = false;
    bool header_written_ = false;
};

}  // namespace sonora::modules::filters::compress
