#include "http/chunked_decoder.h"

#include <algorithm>
#include <cstring>

#include "http/char_class.h"

namespace sonora::http {
namespace {

constexpr std::uint64_t kMaxChunkSize = 0x7fffffffffffffffULL;

bool is_ws(char c) {
    return c == ' ' || c == '\t';
}

}  // namespace

void ChunkedDecoder::reset() {
    state_ = State::kSizeStart;
    chunk_size_ = 0;
    total_ = 0;
    line_length_ = 0;
    trailer_fields_ = 0;
    error_ = ChunkStep{};
}

ChunkStep ChunkedDecoder::fail(std::size_t consumed, std::uint16_t status,
                               std::string_view reason) {
    state_ = State::kError;
    error_ = ChunkStep{ChunkStatus::kError, consumed, {}, HttpError{status, reason, {}}};
    return error_;
}

bool ChunkedDecoder::on_size_line_end(ChunkStep& err, std::size_t consumed) {
    if (chunk_size_ == 0) {
        state_ = State::kTrailerStart;
        return true;
    }
    if (limits_.body != 0 && chunk_size_ > limits_.body - std::min(total_, limits_.body)) {
        err = fail(consumed, 413, "chunked body exceeds LimitRequestBody");
        return false;
    }
    state_ = State::kData;
    return true;
}

bool ChunkedDecoder::on_trailer_byte(char c, ChunkStep& err, std::size_t consumed) {
    if (++line_length_ > std::size_t{limits_.field_size} + 1) {
        err = fail(consumed, 400, "trailer field exceeds LimitRequestFieldSize");
        return false;
    }
    if (state_ == State::kTrailerName) {
        if (c == ':' && line_length_ > 1) {
            state_ = State::kTrailerValue;
            return true;
        }
        if (!detail::has_class(c, detail::kTchar)) {
            err = fail(consumed, 400, "trailer field name is malformed");
            return false;
        }
        return true;
    }
    if (c == '\r') {
        state_ = State::kTrailerLf;
        return true;
    }
    if (!detail::has_class(c, detail::kFieldChar)) {
        err = fail(consumed, 400, "trailer field value is malformed");
        return false;
    }
    return true;
}

bool ChunkedDecoder::step(char c, ChunkStep& err, std::size_t consumed) {
    switch (state_) {
        case State::kSizeStart:
        case State::kSize: {
            const int d = sonora::hex_value(c);
            if (d >= 0) {
                if (chunk_size_ > (kMaxChunkSize >> 4)) {
                    err = fail(consumed, 413, "chunk size overflow");
                    return false;
                }
                chunk_size_ = (chunk_size_ << 4) | static_cast<std::uint64_t>(d);
                state_ = State::kSize;
                return true;
            }
            if (state_ == State::kSizeStart) {
                err = fail(consumed, 400, "chunk size missing");
                return false;
            }
            if (is_ws(c)) {
                state_ = State::kSizeBws;
                return true;
            }
            [[fallthrough]];
        }
        case State::kSizeBws:
            if (is_ws(c)) {
                return true;
            }
            if (c == ';') {
                state_ = State::kExtension;
                line_length_ = 0;
                return true;
            }
            if (c == '\r') {
                state_ = State::kSizeLf;
                return true;
            }
            err = fail(consumed, 400, "junk in chunk size line");
            return false;
        case State::kExtension:
            if (c == '\r') {
                state_ = State::kSizeLf;
                return true;
            }
            if (++line_length_ > kMaxExtension || !detail::has_class(c, detail::kFieldChar)) {
                err = fail(consumed, 400, "bad chunk extension");
                return false;
            }
            return true;
        case State::kSizeLf:
            if (c != '\n') {
                err = fail(consumed, 400, "chunk size line not ended by CRLF");
                return false;
            }
            return on_size_line_end(err, consumed);
        case State::kDataCr:
            if (c != '\r') {
                err = fail(consumed, 400, "chunk data not followed by CRLF");
                return false;
            }
            state_ = State::kDataLf;
            return true;
        case State::kDataLf:
        case State::kTrailerLf:
        case State::kFinalLf:
            if (c != '\n') {
                err = fail(consumed, 400, "bare CR in chunk framing");
                return false;
            }
            if (state_ == State::kFinalLf) {
                state_ = State::kDone;
            } else if (state_ == State::kTrailerLf) {
                state_ = State::kTrailerStart;
            } else {
                state_ = State::kSizeStart;
                chunk_size_ = 0;
            }
            return true;
        case State::kTrailerStart:
            if (c == '\r') {
                state_ = State::kFinalLf;
                return true;
            }
            if (limits_.fields != 0 && ++trailer_fields_ > limits_.fields) {
                err = fail(consumed, 400, "trailer count exceeds LimitRequestFields");
                return false;
            }
            state_ = State::kTrailerName;
            line_length_ = 0;
            return on_trailer_byte(c, err, consumed);
        case State::kTrailerName:
        case State::kTrailerValue:
            return on_trailer_byte(c, err, consumed);
        case State::kData:
        case State::kDone:
        case State::kError:
            break;
    }
    err = fail(consumed, 400, "chunked decoder misuse");
    return false;
}

ChunkStep ChunkedDecoder::next(std::string_view input) {
    if (state_ == State::kError) {
        return error_;
    }
    std::size_t i = 0;
    while (i < input.size()) {
        if (state_ == State::kDone) {
            return ChunkStep{ChunkStatus::kDone, i, {}, {}};
        }
        if (state_ == State::kData) {
            const std::size_t n =
                static_cast<std::size_t>(std::min<std::uint64_t>(chunk_size_, input.size() - i));
            chunk_size_ -= n;
            total_ += n;
            if (chunk_size_ == 0) {
                state_ = State::kDataCr;
            }
            return ChunkStep{ChunkStatus::kData, i + n, input.substr(i, n), {}};
        }
        ChunkStep err;
        if (!step(input[i], err, i)) {
            return err;
        }
        ++i;
    }
    if (state_ == State::kDone) {
        return ChunkStep{ChunkStatus::kDone, i, {}, {}};
    }
    return ChunkStep{ChunkStatus::kNeedMore, i, {}, {}};
}

ChunkDecodeResult ChunkedDecoder::decode_in_place(char* data, std::size_t size) {
    ChunkDecodeResult r;
    while (true) {
        const ChunkStep s = next({data + r.consumed, size - r.consumed});
        r.consumed += s.consumed;
        if (s.status == ChunkStatus::kData) {
            // The write position never passes the read position: framing bytes precede.
            std::memmove(data + r.produced, s.data.data(), s.data.size());
            r.produced += s.data.size();
            continue;
        }
        r.status = s.status;
        r.error = s.error;
        return r;
    }
}

}  // namespace sonora::http
