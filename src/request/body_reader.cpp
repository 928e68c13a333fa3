#include "request/body_reader.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace sonora::request {

namespace {

// What one pread() gives a filter: large enough to keep syscalls few, small
// enough that a filter never holds much of a big file.
constexpr std::size_t kReadPiece = 65536;

}  // namespace

BodyReader::BodyReader(const Body& body) : kind_(body.kind), memory_(body.memory), fd_(body.fd), mapped_(body.mapped) {
    if (kind_ != Body::Kind::File) {
        return;
    }
    if (body.pieces.empty()) {
        pieces_.push_back(Body::Piece{{}, body.offset, body.length});
    } else {
        pieces_.assign(body.pieces.begin(), body.pieces.end());
    }
}

Exchange::Output BodyReader::pull(Request&, std::int64_t) {
    Exchange::Output out;
    if (done_) {
        out.end = true;
        return out;
    }
    if (kind_ == Body::Kind::Memory) {
        done_ = true;
        out.bytes = memory_;
        out.end = memory_.empty();
        return out;
    }
    while (kind_ == Body::Kind::File && next_ < pieces_.size()) {
        const Body::Piece& p = pieces_[next_];
        if (!memory_given_) {
            memory_given_ = true;
            if (!p.memory.empty()) {
                out.bytes = p.memory;
                return out;
            }
        }
        if (file_done_ < p.length) {
            const std::uint64_t left = p.length - file_done_;
            const std::uint64_t at = p.offset + file_done_;
            if (mapped_ != nullptr) {
                file_done_ = p.length;
                out.bytes = std::string_view(mapped_ + at, static_cast<std::size_t>(left));
                return out;
            }
            buffer_.resize(static_cast<std::size_t>(std::min<std::uint64_t>(left, kReadPiece)));
            ssize_t n;
            do {
                n = ::pread(fd_, buffer_.data(), buffer_.size(), static_cast<off_t>(at));
            } while (n < 0 && errno == EINTR);
            if (n <= 0) {
                // The file shrank or failed under us: the body ends short,
                // and the client must not take it for the whole.
                done_ = true;
                out.end = true;
                out.failed = true;
                return out;
            }
            file_done_ += static_cast<std::uint64_t>(n);
            out.bytes = std::string_view(buffer_.data(), static_cast<std::size_t>(n));
            return out;
        }
        ++next_;
        memory_given_ = false;
        file_done_ = 0;
    }
    done_ = true;
    out.end = true;
    return out;
}

}  // namespace sonora::request
