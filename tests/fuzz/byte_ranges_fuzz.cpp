// libFuzzer target for Range parsing, the multipart planner, HTTP dates and
// preconditions. Input layout: 8 bytes little-endian representation size
// (reduced so small files are common), 1 byte selecting the limits, then the
// Range header value, '\n', and a value used as every date/ETag header.
// Checked invariants: ranges lie inside the file, limits are honoured, the
// output covers exactly the bytes the members ask for (small files, checked
// against an independent bitmap), the planned multipart segments add up to
// the announced Content-Length, and parsed dates survive a round trip.
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/byte_ranges.h"
#include "http/conditional.h"
#include "http/http_date.h"

namespace {

using namespace sonora::http;

void check(bool ok) {
    if (!ok) {
        std::abort();
    }
}

RangeLimits limits_from(std::uint8_t b) {
    const std::uint32_t choices[] = {0, 1, 2, 20, 200, kRangeLimitUnlimited};
    return {choices[b % 6], choices[(b / 6) % 6], choices[(b / 36) % 6]};
}

// Independent oracle: the union of all satisfiable members must equal the
// union of the emitted ranges. Only called for headers the parser accepted.
void check_coverage(std::string_view header, std::uint64_t size, std::span<const ByteRange> out) {
    if (size > 4096) {
        return;
    }
    std::vector<bool> wanted(size), got(size);
    std::string_view rest = header.substr(6);
    while (!rest.empty()) {
        const std::size_t comma = std::min(rest.find(','), rest.size());
        const std::string_view m = rest.substr(0, comma);
        rest.remove_prefix(std::min(comma + 1, rest.size()));
        if (m.empty()) {
            continue;
        }
        const std::size_t dash = m.find('-');
        const std::string a(m.substr(0, dash));
        const std::string b(m.substr(dash + 1));
        std::uint64_t first = 0;
        std::uint64_t last = size - 1;
        if (a.empty()) {
            const std::uint64_t n = std::strtoull(b.c_str(), nullptr, 10);
            first = n >= size ? 0 : size - n;
        } else {
            first = std::strtoull(a.c_str(), nullptr, 10);
            if (!b.empty()) {
                const std::uint64_t l = std::strtoull(b.c_str(), nullptr, 10);
                last = std::min(last, l);
            }
        }
        for (std::uint64_t i = first; i <= last && i < size; ++i) {
            wanted[i] = true;
        }
    }
    for (const ByteRange& r : out) {
        for (std::uint64_t i = r.first; i <= r.last; ++i) {
            got[i] = true;
        }
    }
    check(wanted == got);
}

void check_ranges(std::string_view header, std::uint64_t size, const RangeLimits& limits) {
    std::vector<ByteRange> out(max_range_members(header));
    const RangeResult r = parse_byte_ranges(header, size, limits, out);
    if (r.decision != RangeDecision::Partial) {
        check(r.count == 0);
        check(size > 0 || r.decision == RangeDecision::Full);
        return;
    }
    check(r.count >= 1 && r.count <= out.size());
    check(limits.max_ranges == kRangeLimitUnlimited || r.count <= limits.max_ranges);
    std::uint64_t payload = 0;
    for (std::size_t i = 0; i < r.count; ++i) {
        check(out[i].first <= out[i].last && out[i].last < size);
        payload += out[i].length();
    }
    check_coverage(header, size, {out.data(), r.count});
    // A span of exactly the emitted size gives the same answer.
    std::vector<ByteRange> exact(r.count);
    const RangeResult again = parse_byte_ranges(header, size, limits, exact);
    check(again.decision == r.decision && again.count == r.count);
    const std::span<const ByteRange> ranges(out.data(), r.count);
    const std::string_view type = "text/plain";
    const std::string_view boundary = "0123456789abcdef";
    std::vector<char> literals(multipart_literal_capacity(r.count, type, boundary));
    std::vector<BodySegment> segments(2 * r.count + 1);
    const MultipartPlan plan =
        plan_multipart_byteranges(ranges, type, size, boundary, literals, segments);
    check(plan.ok && plan.segment_count == segments.size());
    check(plan.literal_length <= literals.size());
    std::uint64_t total = 0;
    std::uint64_t file_bytes = 0;
    for (const BodySegment& s : segments) {
        total += s.length;
        if (s.kind == BodySegment::Kind::Literal) {
            check(s.offset + s.length <= plan.literal_length);
        } else {
            check(s.offset + s.length <= size);
            file_bytes += s.length;
        }
    }
    check(total == plan.content_length && file_bytes == payload);
}

void check_date(std::string_view text) {
    const std::optional<std::int64_t> t = parse_http_date(text);
    if (!t) {
        return;
    }
    check(*t > 0);
    char buf[kHttpDateLength];
    const std::size_t n = format_http_date(*t, buf);
    if (n != 0) {
        check(parse_http_date({buf, n}) == t);
    }
}

void check_conditions(std::string_view value, std::uint64_t seed) {
    const auto now = static_cast<std::int64_t>(seed % 4102444800ULL);
    const Validators v{"\"64-59b1f7228d580\"", now - static_cast<std::int64_t>(seed % 977)};
    const ConditionalHeaders h{value, value, value, value};
    const Precondition p = evaluate_preconditions((seed & 1) != 0 ? "GET" : "POST", h, v, now);
    check(p == Precondition::Proceed || p == Precondition::NotModified ||
          p == Precondition::PreconditionFailed);
    (void)if_range_matches(value, v, now);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 9) {
        return 0;
    }
    std::uint64_t raw = 0;
    for (int i = 7; i >= 0; --i) {
        raw = (raw << 8) | data[i];
    }
    const std::uint64_t file_size = (raw & 0x8000000000000000ULL) != 0
                                        ? raw & 0x7FFFFFFFFFFFFFFFULL
                                        : raw % 4096;
    const RangeLimits limits = limits_from(data[8]);
    const std::string_view text(reinterpret_cast<const char*>(data + 9), size - 9);
    const std::size_t nl = text.find('\n');
    const std::string_view range = text.substr(0, nl);
    const std::string_view rest =
        nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    check_ranges(range, file_size, limits);
    check_date(rest);
    check_date(range);
    check_conditions(rest, raw);
    return 0;
}
