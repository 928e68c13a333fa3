#include "http/request_parser.h"

#include <cstring>
#include <span>
#include <string_view>

#include "http/char_class.h"

namespace sonora::http {
namespace {

using detail::has_class;

constexpr std::uint64_t kMaxOffset = 0xffffffffu;

bool is_ows(char c) {
    return c == ' ' || c == '\t';
}

// Trims OWS from [begin, end) and reports the trimmed bounds.
void trim_ows(const char* data, std::size_t& begin, std::size_t& end) {
    while (begin < end && is_ows(data[begin])) {
        ++begin;
    }
    while (end > begin && is_ows(data[end - 1])) {
        --end;
    }
}

// `value_class` is the mode's, chosen once per line (kFieldChar under Strict).
bool all_field_chars(const char* data, std::size_t begin, std::size_t end, std::uint8_t value_class) {
    for (std::size_t i = begin; i < end; ++i) {
        if (!has_class(data[i], value_class)) {
            return false;
        }
    }
    return true;
}

bool same_name_nocase(const char* data, const HeaderSlot& a, const HeaderSlot& b) {
    if (a.name_length != b.name_length) {
        return false;
    }
    for (std::uint32_t i = 0; i < a.name_length; ++i) {
        const auto x = static_cast<unsigned char>(data[a.name_offset + i]);
        const auto y = static_cast<unsigned char>(data[b.name_offset + i]);
        if (x != y && (x | 0x20) != (y | 0x20)) {
            return false;
        }
    }
    return true;
}

// Apache merges repeated fields into one value joined by ", " and then holds each
// merged value (the name not counted) to LimitRequestFieldSize again.
bool merged_value_too_long(const char* data, std::span<const HeaderSlot> slots, std::size_t limit) {
    std::size_t all = 0;
    for (const HeaderSlot& s : slots) {
        all += s.value_length + 2;
    }
    if (all <= limit + 2) {
        return false;  // not even every value joined together is over the limit
    }
    for (std::size_t i = 0; i < slots.size(); ++i) {
        std::size_t merged = slots[i].value_length;
        bool first = true;
        for (std::size_t j = 0; j < slots.size(); ++j) {
            if (j == i || !same_name_nocase(data, slots[i], slots[j])) {
                continue;
            }
            if (j < i) {
                first = false;  // counted from its first occurrence
                break;
            }
            merged += 2 + slots[j].value_length;
        }
        if (first && merged > limit) {
            return true;
        }
    }
    return false;
}

}  // namespace

RequestParser::RequestParser(const Limits& limits, std::span<HeaderSlot> header_storage,
                             const ProtocolOptions& options)
    : limits_(limits), options_(options), storage_(header_storage) {
    reset();
}

void RequestParser::reset() {
    head_ = RequestHead{};
    head_.headers.reset(storage_);
    stage_ = Stage::kRequestLine;
    pos_ = 0;
    blank_lines_ = 0;
    line_offset_ = 0;
    line_length_ = 0;
    error_ = ParseResult{};
}

ParseResult RequestParser::fail(std::uint16_t status, std::string_view reason,
                                std::string_view note) {
    stage_ = Stage::kFailed;
    error_ = ParseResult{ParseStatus::kError, 0, HttpError{status, reason, note}};
    return error_;
}

ParseResult RequestParser::incomplete() const {
    return ParseResult{ParseStatus::kIncomplete, 0, {}};
}

ParseResult RequestParser::parse(char* data, std::size_t size) {
    if (stage_ == Stage::kFailed) {
        return error_;
    }
    if (size > kMaxOffset) {
        return fail(400, "request head larger than 4 GiB");
    }
    while (stage_ != Stage::kDone) {
        const char* lf = nullptr;
        if (pos_ < size) {
            lf = static_cast<const char*>(std::memchr(data + pos_, '\n', size - pos_));
        }
        if (lf == nullptr) {
            // Apache measures a line without its CRLF and accepts limit + 1 bytes, so a
            // partial line longer than limit + 2 can never become valid.
            const std::size_t pending = size - pos_;
            if (stage_ == Stage::kRequestLine && pending > std::size_t{limits_.request_line} + 2) {
                return fail(414, "request line exceeds LimitRequestLine");
            }
            if (stage_ == Stage::kHeaders && pending > std::size_t{limits_.field_size} + 2) {
                return fail(400, "header field exceeds LimitRequestFieldSize",
                            kNoteFieldTooLarge);
            }
            return incomplete();
        }
        const std::size_t line_end = static_cast<std::size_t>(lf - data);
        ParseResult r = stage_ == Stage::kRequestLine ? on_request_line(data, pos_, line_end)
                                                      : on_header_line(data, pos_, line_end);
        if (r.status == ParseStatus::kError) {
            return r;
        }
        pos_ = line_end + 1;
    }
    finish(data);
    return ParseResult{ParseStatus::kComplete, pos_, {}};
}

// [begin, end) is the line up to, not including, its LF.
ParseResult RequestParser::on_request_line(char* data, std::size_t begin, std::size_t end) {
    const bool has_cr = end > begin && data[end - 1] == '\r';
    const std::size_t content_end = has_cr ? end - 1 : end;
    const std::size_t length = content_end - begin;
    if (length == 0) {
        if (!has_cr && !options_.unsafe) {
            return fail(400, "bare LF");
        }
        if (++blank_lines_ > limits_.blank_lines) {
            return fail(400, "too many blank lines before the request line");
        }
        return incomplete();
    }
    if (length > std::size_t{limits_.request_line} + 1) {
        return fail(414, "request line exceeds LimitRequestLine");
    }
    if (!has_cr && !options_.unsafe) {
        return fail(400, "malformed request line (bare LF)");
    }
    RequestLine line;
    const std::optional<HttpError> err = parse_line({data + begin, length}, line);
    if (err || line.http09 || (line.method_id == Method::kUnknown && options_.registered_methods)) {
        if (ParseResult r = on_unusual_request_line(line, err); r.status == ParseStatus::kError) {
            return r;
        }
    }
    line_offset_ = begin;
    line_length_ = length;
    stage_ = line.http09 ? Stage::kDone : Stage::kHeaders;
    return incomplete();
}

// httpd's order: the line's grammar, then Require1.0, then RegisteredMethods, and
// only then what the target's form is worth.
ParseResult RequestParser::on_unusual_request_line(const RequestLine& line,
                                                   const std::optional<HttpError>& err) {
    if (err && !line.well_formed) {
        return fail(err->status, err->reason, err->note);
    }
    if (line.http09 && !options_.allow_http09) {
        return fail(400, "HTTP/0.9 request refused by HttpProtocolOptions Require1.0");
    }
    if (options_.registered_methods && line.method_id == Method::kUnknown && !registered(line.method)) {
        return fail(501, "method not registered (HttpProtocolOptions RegisteredMethods)");
    }
    if (err) {
        return fail(err->status, err->reason, err->note);
    }
    return incomplete();
}

std::uint8_t RequestParser::value_class() const {
    return options_.unsafe ? detail::kUnsafeValueChar : detail::kFieldChar;
}

bool RequestParser::registered(std::string_view method) const {
    if (method_number(method) >= 0) {
        return true;
    }
    for (const std::string& m : options_.extra_methods) {
        if (m == method) {
            return true;
        }
    }
    return false;
}

ParseResult RequestParser::on_header_line(char* data, std::size_t begin, std::size_t end) {
    const bool has_cr = end > begin && data[end - 1] == '\r';
    const std::size_t content_end = has_cr ? end - 1 : end;
    const std::size_t length = content_end - begin;
    if (length == 0) {
        if (!has_cr && !options_.unsafe) {
            return fail(400, "bare LF ends the header");
        }
        if (merged_value_too_long(data, storage_.first(head_.headers.size()), limits_.field_size)) {
            return fail(400, "repeated header fields exceed LimitRequestFieldSize once merged", kNoteFieldTooLarge);
        }
        stage_ = Stage::kDone;
        return incomplete();
    }
    if (length > std::size_t{limits_.field_size} + 1) {
        return fail(400, "header field exceeds LimitRequestFieldSize", kNoteFieldTooLarge);
    }
    if (!has_cr && !options_.unsafe) {
        return fail(400, "bare LF in header");
    }
    if (is_ows(data[begin])) {
        return on_continuation(data, begin, content_end);
    }
    if (limits_.fields != 0 && head_.headers.size() >= limits_.fields) {
        return fail(400, "header count exceeds LimitRequestFields", kNoteTooManyFields);
    }
    const std::uint8_t name_class = options_.unsafe ? detail::kUnsafeNameChar : detail::kTchar;
    std::size_t colon = begin;
    while (colon < content_end && has_class(data[colon], name_class)) {
        ++colon;
    }
    if (colon == begin || colon == content_end || data[colon] != ':') {
        return fail(400, "header field name is malformed");
    }
    std::size_t value_begin = colon + 1;
    std::size_t value_end = content_end;
    trim_ows(data, value_begin, value_end);
    if (!all_field_chars(data, value_begin, value_end, value_class())) {
        return fail(400, "header value is malformed");
    }
    HeaderSlot slot;
    slot.name_offset = static_cast<std::uint32_t>(begin);
    slot.name_length = static_cast<std::uint32_t>(colon - begin);
    slot.value_offset = static_cast<std::uint32_t>(value_begin);
    slot.value_length = static_cast<std::uint32_t>(value_end - value_begin);
    slot.id = classify_header({data + begin, colon - begin});
    if (!head_.headers.push(slot)) {
        return fail(400, "header count exceeds header storage", kNoteTooManyFields);
    }
    return incomplete();
}

// obs-fold: Apache joins the continuation to the previous value with one SP.
ParseResult RequestParser::on_continuation(char* data, std::size_t begin, std::size_t end) {
    if (head_.headers.size() == 0) {
        return fail(400, "line folding before the first header line");
    }
    std::size_t text_begin = begin;
    std::size_t text_end = end;
    trim_ows(data, text_begin, text_end);
    if (text_begin == text_end) {
        return fail(400, "empty folded line");
    }
    if (!all_field_chars(data, text_begin, text_end, value_class())) {
        return fail(400, "header value is malformed");
    }
    HeaderSlot& last = head_.headers.back();
    const std::size_t value_end = std::size_t{last.value_offset} + last.value_length;
    const std::size_t text_length = text_end - text_begin;
    // Measured against Apache: the joined line may be at most LimitRequestFieldSize - 2.
    const std::size_t joined = value_end - last.name_offset + 1 + text_length;
    if (joined + 2 > limits_.field_size) {
        return fail(400, "header field exceeds LimitRequestFieldSize after folding",
                    kNoteFieldTooLarge);
    }
    std::size_t dest = value_end;
    if (last.value_length != 0) {
        data[dest++] = ' ';
    } else {
        last.value_offset = static_cast<std::uint32_t>(dest);
    }
    std::memmove(data + dest, data + text_begin, text_length);
    last.value_length = static_cast<std::uint32_t>(dest + text_length - last.value_offset);
    return incomplete();
}

void RequestParser::finish(const char* data) {
    const std::string_view text(data + line_offset_, line_length_);
    // Re-deriving the views is cheap and keeps offsets the only state across calls.
    (void)parse_line(text, head_.line);
    head_.headers.rebase(data);
}

}  // namespace sonora::http
