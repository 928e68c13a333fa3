#include "modules/filters/compress/gzip_encoder.h"

namespace sonora::modules::filters::compress {

namespace {

void put_le32(std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) {
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    }
}

}  // namespace

GzipEncoder::GzipEncoder(const GzipSettings& s) {
    // A negative window asks zlib for a raw stream: the gzip framing is ours.
    ok_ = deflateInit2(&stream_, s.level, Z_DEFLATED, -s.window_bits, s.mem_level, Z_DEFAULT_STRATEGY) == Z_OK;
    crc_ = crc32(0L, Z_NULL, 0);
}

GzipEncoder::~GzipEncoder() {
    if (ok_) {
        deflateEnd(&stream_);
    }
}

void GzipEncoder::run(std::string_view in, int flush, std::string& out) {
    if (!header_written_) {
        out.append(reinterpret_cast<const char*>(kGzipHeader.data()), kGzipHeader.size());
        header_written_ = true;
    }
    if (!in.empty()) {
        crc_ = crc32(crc_, reinterpret_cast<const Bytef*>(in.data()), static_cast<uInt>(in.size()));
    }
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    stream_.avail_in = static_cast<uInt>(in.size());
    for (;;) {
        // Grow the string and let zlib write straight into it.
        const std::size_t before = out.size();
        const std::size_t room = 16384 + in.size() / 4;
        out.resize(before + room);
        stream_.next_out = reinterpret_cast<Bytef*>(out.data() + before);
        stream_.avail_out = static_cast<uInt>(room);
        const int rc = deflate(&stream_, flush);
        out.resize(before + (room - stream_.avail_out));
        if (rc == Z_STREAM_END || rc == Z_STREAM_ERROR) {
            return;
        }
        // Done when zlib took everything and had room left over (for
        // Z_NO_FLUSH it then holds nothing it could emit yet).
        if (stream_.avail_in == 0 && stream_.avail_out != 0 && flush != Z_FINISH) {
            return;
        }
    }
}

void GzipEncoder::compress(std::string_view in, std::string& out) {
    // zlib counts avail_in in 32 bits; very large views go in slices.
    constexpr std::size_t kSlice = 1u << 30;
    while (in.size() > kSlice) {
        run(in.substr(0, kSlice), Z_NO_FLUSH, out);
        in.remove_prefix(kSlice);
    }
    run(in, Z_NO_FLUSH, out);
}

void GzipEncoder::finish(std::string& out) {
    run({}, Z_FINISH, out);
    put_le32(out, static_cast<std::uint32_t>(crc_));
    put_le32(out, static_cast<std::uint32_t>(stream_.total_in));
}

}  // namespace sonora::modules::filters::compress
