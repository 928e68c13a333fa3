#include "http/byte_ranges.h"

#include <algorithm>
#include <cstring>
#include <optional>

namespace sonora::http {

namespace {

constexpr std::uint64_t kMaxOffset = 0x7FFFFFFFFFFFFFFFULL;  // Apache's off_t limit
constexpr std::string_view kUnit = "bytes=";

enum class MemberKind : std::uint8_t { Invalid, Unsatisfiable, Range };

struct Member {
    MemberKind kind = MemberKind::Invalid;
    ByteRange range;
};

// Decimal digits only; empty, non-digit or > INT64_MAX -> nullopt.
std::optional<std::uint64_t> parse_number(std::string_view s) {
    if (s.empty()) {
        return std::nullopt;
    }
    std::uint64_t v = 0;
    for (const char c : s) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        const auto d = static_cast<std::uint64_t>(c - '0');
        if (v > (kMaxOffset - d) / 10) {
            return std::nullopt;
        }
        v = v * 10 + d;
    }
    return v;
}

Member parse_member(std::string_view m, std::uint64_t size) {
    const std::size_t dash = m.find('-');
    if (dash == std::string_view::npos) {
        return {};
    }
    if (dash == 0) {
        const std::optional<std::uint64_t> n = parse_number(m.substr(1));
        if (!n || *n == 0) {
            return {};
        }
        return {MemberKind::Range, {*n >= size ? 0 : size - *n, size - 1}};
    }
    const std::optional<std::uint64_t> first = parse_number(m.substr(0, dash));
    std::optional<std::uint64_t> last = kMaxOffset;
    if (dash + 1 < m.size()) {
        last = parse_number(m.substr(dash + 1));
    }
    if (!first || !last || *last < *first) {
        return {};
    }
    if (*first >= size) {
        return {MemberKind::Unsatisfiable, {}};
    }
    return {MemberKind::Range, {*first, std::min(*last, size - 1)}};
}

bool unit_matches(std::string_view header) {
    if (header.size() < kUnit.size()) {
        return false;
    }
    for (std::size_t i = 0; i < kUnit.size(); ++i) {
        const char c = header[i];
        const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        if (lower != kUnit[i]) {
            return false;
        }
    }
    return true;
}

// Accumulates merged ranges and the counters the limits apply to.
class Merger {
public:
    explicit Merger(std::span<ByteRange> out) : out_(out) {}

    void add(const ByteRange& r) {
        if (!open_) {
            current_ = r;
            open_ = true;
            return;
        }
        const bool touches = r.first <= current_.last + 1 && r.last + 1 >= current_.first;
        if (!touches) {
            emit();
            current_ = r;
            return;
        }
        ++overlaps_;
        if (r.first < current_.first) {
            ++reversals_;
        }
        current_ = {std::min(r.first, current_.first), std::max(r.last, current_.last)};
    }

    void finish() {
        if (open_) {
            emit();
            open_ = false;
        }
    }

    std::size_t emitted() const { return emitted_; }
    std::uint64_t overlaps() const { return overlaps_; }
    std::uint64_t reversals() const { return reversals_; }

private:
    void emit() {
        if (emitted_ < out_.size()) {
            out_[emitted_] = current_;
        }
        ++emitted_;
    }

    std::span<ByteRange> out_;
    ByteRange current_;
    bool open_ = false;
    std::size_t emitted_ = 0;
    std::uint64_t overlaps_ = 0;
    std::uint64_t reversals_ = 0;
};

std::size_t put_decimal(char* p, std::uint64_t v) {
    char tmp[20];
    std::size_t n = 0;
    do {
        tmp[n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (std::size_t i = 0; i < n; ++i) {
        p[i] = tmp[n - 1 - i];
    }
    return n;
}

std::size_t put(char* p, std::string_view s) {
    std::memcpy(p, s.data(), s.size());
    return s.size();
}

bool exceeds(std::uint64_t count, std::uint32_t limit) {
    return limit != kRangeLimitUnlimited && count > limit;
}

}  // namespace

RangeResult parse_byte_ranges(std::string_view header, std::uint64_t size,
                              const RangeLimits& limits, std::span<ByteRange> out) {
    if (size == 0 || !unit_matches(header)) {
        return {};
    }
    std::string_view rest = header.substr(kUnit.size());
    Merger merger(out);
    bool any_member = false;
    while (!rest.empty() && rest.front() != ',') {
        const std::size_t comma = std::min(rest.find(','), rest.size());
        const Member m = parse_member(rest.substr(0, comma), size);
        if (m.kind == MemberKind::Invalid) {
            return {};
        }
        any_member = true;
        if (m.kind == MemberKind::Range) {
            merger.add(m.range);
        }
        rest.remove_prefix(comma);
        while (!rest.empty() && rest.front() == ',') {
            rest.remove_prefix(1);
        }
    }
    merger.finish();
    if (!any_member) {
        return {};
    }
    if (merger.emitted() == 0) {
        return {RangeDecision::NotSatisfiable, 0};
    }
    if (exceeds(merger.overlaps(), limits.max_overlaps) ||
        exceeds(merger.reversals(), limits.max_reversals) ||
        exceeds(merger.emitted(), limits.max_ranges) || merger.emitted() > out.size()) {
        return {};
    }
    return {RangeDecision::Partial, merger.emitted()};
}

std::size_t max_range_members(std::string_view header) {
    return static_cast<std::size_t>(std::count(header.begin(), header.end(), ',')) + 1;
}

std::size_t format_content_range(const ByteRange& range, std::uint64_t size,
                                 std::span<char> out) {
    if (out.size() < kMaxContentRangeLength) {
        return 0;
    }
    char* p = out.data();
    p += put(p, "bytes ");
    p += put_decimal(p, range.first);
    *p++ = '-';
    p += put_decimal(p, range.last);
    *p++ = '/';
    p += put_decimal(p, size);
    return static_cast<std::size_t>(p - out.data());
}

std::size_t format_unsatisfied_range(std::uint64_t size, std::span<char> out) {
    if (out.size() < kMaxContentRangeLength) {
        return 0;
    }
    char* p = out.data();
    p += put(p, "bytes */");
    p += put_decimal(p, size);
    return static_cast<std::size_t>(p - out.data());
}

std::size_t format_multipart_boundary(std::uint64_t bits, std::span<char> out) {
    if (out.size() < 16) {
        return 0;
    }
    for (std::size_t i = 0; i < 16; ++i) {
        out[i] = "0123456789abcdef"[(bits >> (60 - 4 * i)) & 0xF];
    }
    return 16;
}

std::size_t multipart_literal_capacity(std::size_t range_count, std::string_view content_type,
                                       std::string_view boundary) {
    // "\r\n--" B "\r\n" ["Content-type: " CT "\r\n"] "Content-range: " CR "\r\n\r\n"
    const std::size_t part = 4 + boundary.size() + 2 +
                             (content_type.empty() ? 0 : 14 + content_type.size() + 2) + 15 +
                             kMaxContentRangeLength + 4;
    return range_count * part + 4 + boundary.size() + 4;
}

MultipartPlan plan_multipart_byteranges(std::span<const ByteRange> ranges,
                                        std::string_view content_type, std::uint64_t size,
                                        std::string_view boundary, std::span<char> literals,
                                        std::span<BodySegment> segments) {
    if (segments.size() < 2 * ranges.size() + 1 ||
        literals.size() < multipart_literal_capacity(ranges.size(), content_type, boundary)) {
        return {};
    }
    MultipartPlan plan;
    char* const base = literals.data();
    char* p = base;
    auto literal = [&](char* from) {
        const auto len = static_cast<std::uint64_t>(p - from);
        segments[plan.segment_count++] = {BodySegment::Kind::Literal,
                                          static_cast<std::uint64_t>(from - base), len};
        plan.content_length += len;
    };
    for (const ByteRange& r : ranges) {
        char* const start = p;
        p += put(p, "\r\n--");
        p += put(p, boundary);
        p += put(p, "\r\n");
        if (!content_type.empty()) {
            p += put(p, "Content-type: ");
            p += put(p, content_type);
            p += put(p, "\r\n");
        }
        p += put(p, "Content-range: ");
        p += format_content_range(r, size, {p, kMaxContentRangeLength});
        p += put(p, "\r\n\r\n");
        literal(start);
        segments[plan.segment_count++] = {BodySegment::Kind::File, r.first, r.length()};
        plan.content_length += r.length();
    }
    char* const tail = p;
    p += put(p, "\r\n--");
    p += put(p, boundary);
    p += put(p, "--\r\n");
    literal(tail);
    plan.literal_length = static_cast<std::size_t>(p - base);
    plan.ok = true;
    return plan;
}

}  // namespace sonora::http
