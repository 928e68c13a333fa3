#include "http/body_framing.h"

#include "http/char_class.h"

namespace sonora::http {
namespace {

constexpr std::uint64_t kMaxLength = 0x7fffffffffffffffULL;  // apr_off_t's range

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

// The last coding of the (possibly repeated, comma-separated) Transfer-Encoding header.
std::string_view final_coding(const HeaderTable& headers) {
    std::string_view last;
    for (const HeaderSlot* s = headers.find(HeaderId::kTransferEncoding); s != nullptr;
         s = headers.next(HeaderId::kTransferEncoding, s)) {
        std::string_view v = headers.value_of(*s);
        const std::size_t comma = v.rfind(',');
        last = trim(comma == std::string_view::npos ? v : v.substr(comma + 1));
    }
    return last;
}

}  // namespace

bool parse_content_length(std::string_view value, std::uint64_t& out) {
    if (value.empty()) {
        return false;
    }
    std::uint64_t n = 0;
    for (char c : value) {
        if (c < '0' || c > '9') {
            return false;
        }
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (n > (kMaxLength - digit) / 10) {
            return false;
        }
        n = n * 10 + digit;
    }
    out = n;
    return true;
}

std::variant<BodyFraming, HttpError> decide_body_framing(const RequestHead& head,
                                                         const Limits& limits) {
    const HeaderTable& headers = head.headers;
    BodyFraming framing;
    if (headers.has(HeaderId::kTransferEncoding)) {
        if (!equals_token(final_coding(headers), "chunked")) {
            return HttpError{400, "unknown Transfer-Encoding", {}};
        }
        framing.kind = BodyFraming::Kind::kChunked;
        framing.must_close = headers.has(HeaderId::kContentLength);
        return framing;
    }
    if (const HeaderSlot* cl = headers.find(HeaderId::kContentLength)) {
        std::uint64_t length = 0;
        if (headers.next(HeaderId::kContentLength, cl) != nullptr ||
            !parse_content_length(headers.value_of(*cl), length)) {
            return HttpError{400, "invalid Content-Length", {}};
        }
        if (limits.body != 0 && length > limits.body) {
            return HttpError{413, "Content-Length exceeds LimitRequestBody", {}};
        }
        framing.kind = length == 0 ? BodyFraming::Kind::kNone : BodyFraming::Kind::kLength;
        framing.length = length;
    }
    return framing;
}

}  // namespace sonora::http
