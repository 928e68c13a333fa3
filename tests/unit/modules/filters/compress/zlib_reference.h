#pragma once
// zlib's own gzip decoder, the reference the compression tests check
// Sonora's output against (up to 4 MiB of output).

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>
#include <string_view>

namespace sonora::test {

inline std::string gunzip(std::string_view gz) {
    z_stream z{};
    EXPECT_EQ(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
    std::string out(4u << 20, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
    z.avail_in = static_cast<uInt>(gz.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
    out.resize(z.total_out);
    inflateEnd(&z);
    return out;
}

}  // namespace sonora::test
