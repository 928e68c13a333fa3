#include "expr/digest.h"

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace sonora::expr {
namespace {

constexpr char kHex[] = "0123456789abcdef";

std::uint32_t rotl(std::uint32_t x, unsigned n) { return (x << n) | (x >> (32 - n)); }

// Pads a message the MD5/SHA-1 way: 0x80, zeros, 64-bit bit length.
std::string pad_message(std::string_view data, bool big_endian_length) {
    std::string msg(data);
    std::uint64_t bits = static_cast<std::uint64_t>(data.size()) * 8;
    msg += static_cast<char>(0x80);
    while (msg.size() % 64 != 56) {
        msg += '\0';
    }
    for (int i = 0; i < 8; ++i) {
        int shift = big_endian_length ? (56 - 8 * i) : (8 * i);
        msg += static_cast<char>((bits >> shift) & 0xff);
    }
    return msg;
}

std::uint32_t byte_at(const std::string& s, std::size_t i) {
    return static_cast<unsigned char>(s[i]);
}

void append_hex(std::string& out, std::uint8_t b) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
}

}  // namespace

std::string md5_hex(std::string_view data) {
    static constexpr std::array<unsigned, 64> kShift{
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9,  14, 20, 5, 9,
        14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
    static const std::array<std::uint32_t, 64> kSine = [] {
        std::array<std::uint32_t, 64> t{};
        // Integer parts of 2^32 * |sin(i + 1)|, computed once.
        for (std::size_t i = 0; i < 64; ++i) {
            double v = std::sin(static_cast<double>(i + 1));
            t[i] = static_cast<std::uint32_t>((v < 0 ? -v : v) * 4294967296.0);
        }
        return t;
    }();
    std::uint32_t h[4] = {0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u};
    std::string msg = pad_message(data, false);
    for (std::size_t off = 0; off < msg.size(); off += 64) {
        std::uint32_t w[16];
        for (std::size_t i = 0; i < 16; ++i) {
            std::size_t p = off + 4 * i;
            w[i] = byte_at(msg, p) | (byte_at(msg, p + 1) << 8) | (byte_at(msg, p + 2) << 16) |
                   (byte_at(msg, p + 3) << 24);
        }
        std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
        for (std::size_t i = 0; i < 64; ++i) {
            std::uint32_t f = 0;
            std::size_t g = 0;
            if (i < 16) {
                f = (b & c) | (~b & d);
                g = i;
            } else if (i < 32) {
                f = (d & b) | (~d & c);
                g = (5 * i + 1) % 16;
            } else if (i < 48) {
                f = b ^ c ^ d;
                g = (3 * i + 5) % 16;
            } else {
                f = c ^ (b | ~d);
                g = (7 * i) % 16;
            }
            std::uint32_t tmp = d;
            d = c;
            c = b;
            b = b + rotl(a + f + kSine[i] + w[g], kShift[i]);
            a = tmp;
        }
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
    }
    std::string out;
    for (std::uint32_t v : h) {
        for (int i = 0; i < 4; ++i) {
            append_hex(out, static_cast<std::uint8_t>(v >> (8 * i)));
        }
    }
    return out;
}

std::string sha1_hex(std::string_view data) {
    std::uint32_t h[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
    std::string msg = pad_message(data, true);
    for (std::size_t off = 0; off < msg.size(); off += 64) {
        std::uint32_t w[80];
        for (std::size_t i = 0; i < 16; ++i) {
            std::size_t p = off + 4 * i;
            w[i] = (byte_at(msg, p) << 24) | (byte_at(msg, p + 1) << 16) |
                   (byte_at(msg, p + 2) << 8) | byte_at(msg, p + 3);
        }
        for (std::size_t i = 16; i < 80; ++i) {
            w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
        }
        std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
        for (std::size_t i = 0; i < 80; ++i) {
            std::uint32_t f = 0;
            std::uint32_t k = 0;
            if (i < 20) {
                f = (b & c) | (~b & d);
                k = 0x5A827999u;
            } else if (i < 40) {
                f = b ^ c ^ d;
                k = 0x6ED9EBA1u;
            } else if (i < 60) {
                f = (b & c) | (b & d) | (c & d);
                k = 0x8F1BBCDCu;
            } else {
                f = b ^ c ^ d;
                k = 0xCA62C1D6u;
            }
            std::uint32_t tmp = rotl(a, 5) + f + e + k + w[i];
            e = d;
            d = c;
            c = rotl(b, 30);
            b = a;
            a = tmp;
        }
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
    }
    std::string out;
    for (std::uint32_t v : h) {
        for (int i = 3; i >= 0; --i) {
            append_hex(out, static_cast<std::uint8_t>(v >> (8 * i)));
        }
    }
    return out;
}

namespace {
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int b64_value(char c) {
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}
}  // namespace

std::string base64_encode(std::string_view data) {
    std::string out;
    out.reserve((data.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < data.size(); i += 3) {
        std::uint32_t v = (static_cast<unsigned char>(data[i]) << 16) |
                          (static_cast<unsigned char>(data[i + 1]) << 8) |
                          static_cast<unsigned char>(data[i + 2]);
        out += kB64[(v >> 18) & 63];
        out += kB64[(v >> 12) & 63];
        out += kB64[(v >> 6) & 63];
        out += kB64[v & 63];
    }
    std::size_t rest = data.size() - i;
    if (rest > 0) {
        std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(data[i])) << 16;
        if (rest == 2) {
            v |= static_cast<std::uint32_t>(static_cast<unsigned char>(data[i + 1])) << 8;
        }
        out += kB64[(v >> 18) & 63];
        out += kB64[(v >> 12) & 63];
        out += rest == 2 ? kB64[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::string base64_decode(std::string_view text) {
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
        int v = b64_value(c);
        if (v < 0) {
            break;
        }
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xff);
        }
    }
    return out;
}

}  // namespace sonora::expr
