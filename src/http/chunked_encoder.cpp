#include "http/chunked_encoder.h"

namespace sonora::http {

std::size_t format_chunk_header(std::uint64_t size, char (&out)[kMaxChunkHeader]) {
    static constexpr char kHex[] = "0123456789abcdef";
    char digits[16];
    std::size_t n = 0;
    do {
        digits[n++] = kHex[size & 0xf];
        size >>= 4;
    } while (size != 0);
    std::size_t len = 0;
    while (n > 0) {
        out[len++] = digits[--n];
    }
    out[len++] = '\r';
    out[len++] = '\n';
    return len;
}

}  // namespace sonora::http
