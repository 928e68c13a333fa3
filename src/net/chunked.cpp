#include "net/chunked.h"

#include <algorithm>

namespace sonora::net {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

constexpr std::size_t kMaxLine = 8192;  // a size line with extensions, or a trailer line

}  // namespace

ChunkedDecoder::Status ChunkedDecoder::feed(std::string_view data, std::size_t& consumed) {
    std::size_t i = 0;
    while (i < data.size()) {
        char c = data[i];
        switch (state_) {
            case State::Size: {
                int v = hex_value(c);
                if (v >= 0) {
                    if (size_digits_ >= 15) {
                        consumed = i;
                        return fail(413);
                    }
                    chunk_left_ = chunk_left_ * 16 + static_cast<std::uint64_t>(v);
                    ++size_digits_;
                    ++i;
                    break;
                }
                if (size_digits_ == 0) {
                    consumed = i;
                    return fail(400);
                }
                if (c == ';' || c == ' ' || c == '\t') {
                    state_ = State::Extension;
                    line_bytes_ = 0;
                    ++i;
                    break;
                }
                if (c == '\r') {
                    state_ = State::SizeLf;
                    ++i;
                    break;
                }
                consumed = i;
                return fail(400);
            }
            case State::Extension:
                if (c == '\r') {
                    state_ = State::SizeLf;
                } else if (c == '\n' || ++line_bytes_ > kMaxLine || (static_cast<unsigned char>(c) < 0x20 && c != '\t')) {
                    consumed = i;
                    return fail(400);
                }
                ++i;
                break;
            case State::SizeLf:
                if (c != '\n') {
                    consumed = i;
                    return fail(400);
                }
                ++i;
                state_ = chunk_left_ == 0 ? State::TrailerStart : State::Data;
                size_digits_ = 0;
                break;
            case State::Data: {
                std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_left_, data.size() - i));
                i += take;
                chunk_left_ -= take;
                body_bytes_ += take;
                if (chunk_left_ == 0) {
                    state_ = State::DataCr;
                }
                break;
            }
            case State::DataCr:
                if (c != '\r') {
                    consumed = i;
                    return fail(400);
                }
                state_ = State::DataLf;
                ++i;
                break;
            case State::DataLf:
                if (c != '\n') {
                    consumed = i;
                    return fail(400);
                }
                state_ = State::Size;
                ++i;
                break;
            case State::TrailerStart:
                if (c == '\r') {
                    state_ = State::FinalLf;
                } else {
                    state_ = State::Trailer;
                    line_bytes_ = 1;
                }
                ++i;
                break;
            case State::Trailer:
                if (c == '\r') {
                    state_ = State::TrailerLf;
                } else if (c == '\n' || ++line_bytes_ > kMaxLine) {
                    consumed = i;
                    return fail(400);
                }
                ++i;
                break;
            case State::TrailerLf:
                if (c != '\n') {
                    consumed = i;
                    return fail(400);
                }
                state_ = State::TrailerStart;
                ++i;
                break;
            case State::FinalLf:
                if (c != '\n') {
                    consumed = i;
                    return fail(400);
                }
                state_ = State::Done;
                consumed = i + 1;
                return Status::Done;
            case State::Done:
                consumed = i;
                return Status::Done;
        }
    }
    consumed = i;
    return state_ == State::Done ? Status::Done : Status::NeedMore;
}

}  // namespace sonora::net
