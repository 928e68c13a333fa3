#include "modules/filters/compress/gzip_inflater.h"

#include <algorithm>

namespace sonora::modules::filters::compress {

namespace {

constexpr unsigned char kFlagHcrc = 0x02;
constexpr unsigned char kFlagExtra = 0x04;
constexpr unsigned char kFlagName = 0x08;
constexpr unsigned char kFlagComment = 0x10;
constexpr unsigned char kFlagReserved = 0xe0;

std::uint32_t le32(std::string_view s) {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) {
        v = (v << 8) | static_cast<unsigned char>(s[static_cast<std::size_t>(i)]);
    }
    return v;
}

// How long the header held so far is, once complete: 0 while more is needed.
std::size_t header_length(std::string_view h) {
    std::size_t pos = 10;
    if (h.size() < pos) {
        return 0;
    }
    const auto flags = static_cast<unsigned char>(h[3]);
    if ((flags & kFlagExtra) != 0) {
        if (h.size() < pos + 2) {
            return 0;
        }
        pos += 2 + (static_cast<unsigned char>(h[pos]) | (static_cast<std::size_t>(static_cast<unsigned char>(h[pos + 1])) << 8));
    }
    for (unsigned char flag : {kFlagName, kFlagComment}) {
        if ((flags & flag) != 0) {
            auto nul = h.find('\0', pos);
            if (nul == std::string_view::npos) {
                return 0;
            }
            pos = nul + 1;
        }
    }
    if ((flags & kFlagHcrc) != 0) {
        pos += 2;
    }
    return h.size() >= pos ? pos : 0;
}

}  // namespace

GzipInflater::GzipInflater(const InflateLimits& limits) : limits_(limits) {
    zlib_ok_ = inflateInit2(&stream_, -MAX_WBITS) == Z_OK;
    crc_ = crc32(0L, Z_NULL, 0);
    next_check_ = limits_.check_every;
}

GzipInflater::~GzipInflater() {
    if (zlib_ok_) {
        inflateEnd(&stream_);
    }
}

GzipInflater::Status GzipInflater::take_header(std::string_view& in) {
    // The header is read byte by byte into held_ until complete: its length
    // depends on its flags. A bounded FEXTRA (64 KiB) and names end at a NUL;
    // a name without end is cut off by the caller's limits on input.
    while (!in.empty()) {
        held_.push_back(in.front());
        in.remove_prefix(1);
        ++consumed_;
        if (held_.size() == 4) {
            if (static_cast<unsigned char>(held_[0]) != 0x1f || static_cast<unsigned char>(held_[1]) != 0x8b ||
                held_[2] != Z_DEFLATED || (static_cast<unsigned char>(held_[3]) & kFlagReserved) != 0) {
                return Status::BadHeader;
            }
        }
        if (held_.size() >= 10 && header_length(held_) != 0) {
            held_.clear();
            stage_ = Stage::Body;
            return Status::NeedMore;
        }
        if (held_.size() > 10 + 2 + 65535 + 2 * 65536) {
            return Status::BadHeader;
        }
    }
    return Status::NeedMore;
}

GzipInflater::Status GzipInflater::check_limits() {
    if (limits_.limit != 0 && stream_.total_out > limits_.limit) {
        return Status::TooLarge;
    }
    while (limits_.ratio_limit > 0 && stream_.total_out >= next_check_) {
        next_check_ += limits_.check_every;
        if (consumed_ == 0) {
            continue;
        }
        const auto ratio = stream_.total_out / consumed_;
        if (ratio < static_cast<std::uint64_t>(limits_.ratio_limit)) {
            ratio_hits_ = 0;
        } else if (++ratio_hits_ > limits_.ratio_burst) {
            return Status::RatioExceeded;
        }
    }
    return Status::NeedMore;
}

GzipInflater::Status GzipInflater::inflate_some(std::string_view& in, std::string& out) {
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    stream_.avail_in = static_cast<uInt>(std::min<std::size_t>(in.size(), 1u << 30));
    const uInt given = stream_.avail_in;
    for (;;) {
        // Output in slices of check_every so the limits are checked as the
        // bytes appear, not after a bomb has been written out whole.
        const std::size_t before = out.size();
        const std::size_t room = std::max<std::size_t>(limits_.check_every, 1024);
        out.resize(before + room);
        stream_.next_out = reinterpret_cast<Bytef*>(out.data() + before);
        stream_.avail_out = static_cast<uInt>(room);
        const std::size_t in_before = stream_.avail_in;
        const int rc = inflate(&stream_, Z_NO_FLUSH);
        const std::size_t made = room - stream_.avail_out;
        out.resize(before + made);
        crc_ = crc32(crc_, reinterpret_cast<const Bytef*>(out.data() + before), static_cast<uInt>(made));
        consumed_ += in_before - stream_.avail_in;
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
            return Status::BadData;
        }
        if (Status s = check_limits(); s != Status::NeedMore) {
            return s;
        }
        if (rc == Z_STREAM_END) {
            stage_ = Stage::Trailer;
            break;
        }
        if (stream_.avail_in == 0 && made < room) {
            break;
        }
        if (rc == Z_BUF_ERROR && made == 0) {
            break;
        }
    }
    in.remove_prefix(given - stream_.avail_in);
    return Status::NeedMore;
}

GzipInflater::Status GzipInflater::take_trailer(std::string_view& in) {
    const std::size_t want = std::min<std::size_t>(8 - held_.size(), in.size());
    held_.append(in.substr(0, want));
    in.remove_prefix(want);
    consumed_ += want;
    if (held_.size() < 8) {
        return Status::NeedMore;
    }
    if (le32(held_) != static_cast<std::uint32_t>(crc_) ||
        le32(std::string_view(held_).substr(4)) != static_cast<std::uint32_t>(stream_.total_out)) {
        return Status::BadData;
    }
    stage_ = Stage::Ended;
    return Status::Done;
}

GzipInflater::Status GzipInflater::feed(std::string_view in, std::string& out) {
    if (status_ != Status::NeedMore) {
        if (status_ == Status::Done) {
            trailing_ += in.size();
        }
        return status_;
    }
    if (!zlib_ok_) {
        return status_ = Status::BadData;
    }
    while (!in.empty() && status_ == Status::NeedMore) {
        switch (stage_) {
            case Stage::Header:
                status_ = take_header(in);
                break;
            case Stage::Body:
                status_ = inflate_some(in, out);
                break;
            case Stage::Trailer:
                status_ = take_trailer(in);
                break;
            case Stage::Ended:
                status_ = Status::Done;
                break;
        }
    }
    if (status_ == Status::Done) {
        trailing_ += in.size();
    }
    return status_;
}

GzipInflater::Status GzipInflater::finish() const {
    if (status_ == Status::NeedMore) {
        return Status::BadData;
    }
    return status_;
}

}  // namespace sonora::modules::filters::compress
