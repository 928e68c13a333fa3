#include "http/etag.h"

#include <cstring>

namespace sonora::http {

namespace {

constexpr std::int64_t kWeakWindowUs = 1'000'000;

// Appends `v` as lowercase hex without leading zeros; returns chars written.
std::size_t put_hex(char* p, std::uint64_t v) {
    char tmp[16];
    std::size_t n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[v & 0xF];
        v >>= 4;
    } while (v != 0);
    for (std::size_t i = 0; i < n; ++i) {
        p[i] = tmp[n - 1 - i];
    }
    return n;
}

std::size_t put_digest_etag(std::string_view digest, std::span<char> out) {
    if (out.size() < digest.size() + 2) {
        return 0;
    }
    out[0] = '"';
    std::memcpy(out.data() + 1, digest.data(), digest.size());
    out[digest.size() + 1] = '"';
    return digest.size() + 2;
}

}  // namespace

std::size_t make_file_etag(const FileETagInput& in, std::int64_t now_us, std::span<char> out) {
    if ((in.components & kETagDigest) != 0 && !in.digest.empty()) {
        return put_digest_etag(in.digest, out);
    }
    if ((in.components & kETagAll) == 0 || out.size() < kMaxFileETagLength) {
        return 0;
    }
    char* p = out.data();
    // Unsigned difference: cannot overflow for any pair with now_us > mtime_us.
    const auto age = static_cast<std::uint64_t>(now_us) - static_cast<std::uint64_t>(in.mtime_us);
    const bool strong = now_us > in.mtime_us && age > static_cast<std::uint64_t>(kWeakWindowUs);
    if (!strong) {
        *p++ = 'W';
        *p++ = '/';
    }
    *p++ = '"';
    bool first = true;
    auto field = [&](unsigned bit, std::uint64_t value) {
        if ((in.components & bit) == 0) {
            return;
        }
        if (!first) {
            *p++ = '-';
        }
        first = false;
        p += put_hex(p, value);
    };
    field(kETagINode, in.inode);
    field(kETagSize, in.size);
    field(kETagMTime, static_cast<std::uint64_t>(in.mtime_us));
    *p++ = '"';
    return static_cast<std::size_t>(p - out.data());
}

}  // namespace sonora::http
