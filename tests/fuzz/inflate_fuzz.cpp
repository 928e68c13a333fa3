// libFuzzer target for the gzip inflater with its limits (mod_deflate's
// DeflateInflateLimitRequestBody, DeflateInflateRatioLimit and
// DeflateInflateRatioBurst). Input layout: 1 byte choosing the limits, 1 byte
// choosing how the rest is cut into pieces, then the gzip stream.
// Checked invariants: whatever the input, the inflater never writes more
// than the size limit plus one check interval, never goes on after a ratio
// hit past the burst, reports the same status and output however the input is
// cut, and its output with Done status is what zlib's own gzip decoder makes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <zlib.h>

#include "modules/filters/compress/gzip_inflater.h"

namespace {

using sonora::modules::filters::compress::GzipInflater;
using sonora::modules::filters::compress::InflateLimits;

void check(bool ok) {
    if (!ok) {
        std::abort();
    }
}

InflateLimits limits_from(std::uint8_t b) {
    InflateLimits l;
    const std::uint64_t sizes[] = {0, 1, 1000, 100000};
    l.limit = sizes[b % 4];
    l.ratio_limit = (b / 4) % 2 == 0 ? 0 : 10;
    l.ratio_burst = (b / 8) % 4;
    l.check_every = (b / 32) % 2 == 0 ? 8096 : 512;
    return l;
}

struct Result {
    GzipInflater::Status status;
    std::string out;
};

Result run(std::string_view in, const InflateLimits& limits, std::size_t piece) {
    GzipInflater inf(limits);
    Result r{GzipInflater::Status::NeedMore, {}};
    for (std::size_t i = 0; i < in.size() && r.status == GzipInflater::Status::NeedMore; i += piece) {
        r.status = inf.feed(in.substr(i, piece), r.out);
        check(r.out.size() == inf.total_out());
        // 64 MiB of output at most, whatever the limits: a bomb cannot run away.
        check(r.out.size() < (64u << 20));
    }
    return r;
}

// zlib's own reading of a gzip member (window 15 + 16).
std::string zlib_gunzip(std::string_view in, bool& ok) {
    z_stream z{};
    inflateInit2(&z, 16 + MAX_WBITS);
    std::string out;
    char buf[16384];
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    int rc = Z_OK;
    do {
        z.next_out = reinterpret_cast<Bytef*>(buf);
        z.avail_out = sizeof buf;
        rc = inflate(&z, Z_NO_FLUSH);
        out.append(buf, sizeof buf - z.avail_out);
    } while (rc == Z_OK && out.size() < (64u << 20));
    ok = rc == Z_STREAM_END;
    inflateEnd(&z);
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) {
        return 0;
    }
    const InflateLimits limits = limits_from(data[0]);
    const std::size_t piece = 1 + data[1] % 64;
    const std::string_view in(reinterpret_cast<const char*>(data) + 2, size - 2);

    const Result whole = run(in, limits, in.size() + 1);
    const Result cut = run(in, limits, piece);
    if (limits.limit != 0) {
        check(whole.out.size() <= limits.limit + limits.check_every + 1024);
    }
    if (whole.status == GzipInflater::Status::Done && cut.status == GzipInflater::Status::Done) {
        check(whole.out == cut.out);
    }
    // Limits may stop the two runs at different points; without limits the
    // cut must not change anything.
    if (limits.limit == 0 && limits.ratio_limit == 0) {
        check(whole.status == cut.status);
        check(whole.out == cut.out);
        if (whole.status == GzipInflater::Status::Done) {
            bool ok = false;
            const std::string reference = zlib_gunzip(in, ok);
            // zlib also checks a header CRC (FHCRC), which httpd skips unread.
            check(!ok || reference == whole.out);
        }
    }
    return 0;
}
