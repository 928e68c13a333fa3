// Range parsing, merging, limits and multipart layout. Unless noted, each
// expectation was recorded from httpd 2.4.71 serving a 100-byte file.
#include "http/byte_ranges.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

namespace sonora::http {
namespace {

using R = std::vector<ByteRange>;
constexpr auto kFull = RangeDecision::Full;
constexpr auto kPartial = RangeDecision::Partial;
constexpr auto k416 = RangeDecision::NotSatisfiable;

struct Outcome {
    RangeDecision decision;
    R ranges;
};

Outcome parse(std::string_view header, std::uint64_t size = 100, RangeLimits limits = {}) {
    std::vector<ByteRange> out(max_range_members(header));
    const RangeResult r = parse_byte_ranges(header, size, limits, out);
    out.resize(r.count);
    return {r.decision, out};
}

struct Case {
    const char* header;
    RangeDecision decision;
    R ranges;
};

void run(const std::vector<Case>& cases, std::uint64_t size = 100, RangeLimits limits = {}) {
    for (const Case& c : cases) {
        SCOPED_TRACE(c.header);
        const Outcome o = parse(c.header, size, limits);
        EXPECT_EQ(o.decision, c.decision);
        EXPECT_EQ(o.ranges, c.ranges);
    }
}

TEST(ByteRanges, SyntaxRecordedFromApache) {
    run({
        {"bytes=0-0", kPartial, {{0, 0}}},
        {"bytes=5-5", kPartial, {{5, 5}}},
        {"bytes=0-1,5-9", kPartial, {{0, 1}, {5, 9}}},
        {"bytes=-10", kPartial, {{90, 99}}},
        {"bytes=-1", kPartial, {{99, 99}}},
        {"bytes=-100", kPartial, {{0, 99}}},
        {"bytes=-101", kPartial, {{0, 99}}},
        {"bytes=-1000", kPartial, {{0, 99}}},
        {"bytes=90-", kPartial, {{90, 99}}},
        {"bytes=99-", kPartial, {{99, 99}}},
        {"bytes=0-", kPartial, {{0, 99}}},
        {"bytes=00-", kPartial, {{0, 99}}},
        {"bytes=0-99", kPartial, {{0, 99}}},
        {"bytes=0-1000", kPartial, {{0, 99}}},
        {"bytes=01-02", kPartial, {{1, 2}}},
        {"bytes=00000000000000000000001-2", kPartial, {{1, 2}}},
        {"Bytes=0-1", kPartial, {{0, 1}}},
        {"BYTES=0-1", kPartial, {{0, 1}}},
        // Comma runs collapse; a leading comma ends the list before it starts.
        {"bytes=0-1,,5-9", kPartial, {{0, 1}, {5, 9}}},
        {"bytes=0-1,", kPartial, {{0, 1}}},
        {"bytes=0-1,,", kPartial, {{0, 1}}},
        {"bytes=0-1,5-9,", kPartial, {{0, 1}, {5, 9}}},
        {"bytes=,0-1", kFull, {}},
        {"bytes=,", kFull, {}},
        {"bytes=", kFull, {}},
        // Anything else malformed: the header is ignored.
        {"bytes=-0", kFull, {}},
        {"bytes=5-2", kFull, {}},
        {"bytes=abc", kFull, {}},
        {"bytes = 0-1", kFull, {}},
        {"bytes==0-1", kFull, {}},
        {"bytes=0-1, 5-9", kFull, {}},
        {"bytes=0-1 ,5-9", kFull, {}},
        {"bytes= 0-1", kFull, {}},
        {"bytes=0 -1", kFull, {}},
        {"bytes=0- 1", kFull, {}},
        {"bytes=0-1,  ,5-9", kFull, {}},
        {"bytes=0-1,abc", kFull, {}},
        {"bytes=+5-10", kFull, {}},
        {"bytes=0x1-2", kFull, {}},
        {"bytes=-", kFull, {}},
        {"bytes=--1", kFull, {}},
        {"bytes=1--2", kFull, {}},
        {"bytes=-5-", kFull, {}},
        {"bytes=1-2-3", kFull, {}},
        {"bytes=0--1", kFull, {}},
        {"bytes=x0-1", kFull, {}},
        {"bytes=0-1x", kFull, {}},
        {"bytes=0-1;x", kFull, {}},
        {"bytes=0-1,5", kFull, {}},
        {"bytes=5", kFull, {}},
        {"bytes=0-1,5-2", kFull, {}},
        {"bytes=0-1,-0", kFull, {}},
        {"bytes=0-1,200-100", kFull, {}},
        {"items=0-1", kFull, {}},
        {"bytes0-1", kFull, {}},
        {"", kFull, {}},
        // 64-bit limits: INT64_MAX is a number, one more is not.
        {"bytes=9223372036854775807-", k416, {}},
        {"bytes=9223372036854775808-", kFull, {}},
        {"bytes=-9223372036854775807", kPartial, {{0, 99}}},
        {"bytes=-9223372036854775808", kFull, {}},
        {"bytes=0-9223372036854775807", kPartial, {{0, 99}}},
        {"bytes=0-9223372036854775808", kFull, {}},
        {"bytes=0-99999999999999999999999", kFull, {}},
        {"bytes=99999999999999999999999-", kFull, {}},
        {"bytes=-99999999999999999999999", kFull, {}},
    });
}

TEST(ByteRanges, UnsatisfiableRecordedFromApache) {
    run({
        {"bytes=100-", k416, {}},
        {"bytes=100-200,300-", k416, {}},
        {"bytes=100-,150-", k416, {}},
        {"bytes=0-1,100-200", kPartial, {{0, 1}}},
        {"bytes=0-1,100-200,200-300", kPartial, {{0, 1}}},
        // An invalid member wins over unsatisfiable ones, in either order.
        {"bytes=100-200,5-2", kFull, {}},
        {"bytes=5-2,100-200", kFull, {}},
        {"bytes=100-200,abc", kFull, {}},
    });
}

TEST(ByteRanges, EmptyRepresentationNeverRanged) {
    for (const char* h : {"bytes=0-0", "bytes=-5", "bytes=0-", "bytes=-0", "bytes=abc",
                          "bytes=5-2"}) {
        SCOPED_TRACE(h);
        EXPECT_EQ(parse(h, 0).decision, kFull);
    }
}

TEST(ByteRanges, MergingRecordedFromApache) {
    run({
        {"bytes=0-1,1-3", kPartial, {{0, 3}}},   // overlap
        {"bytes=0-1,2-3", kPartial, {{0, 3}}},   // adjacent
        {"bytes=0-1,3-4", kPartial, {{0, 1}, {3, 4}}},
        {"bytes=5-9,0-1", kPartial, {{5, 9}, {0, 1}}},  // order kept, not sorted
        {"bytes=0-1,0-1", kPartial, {{0, 1}}},
        {"bytes=1-2,0-5", kPartial, {{0, 5}}},
        {"bytes=0-10,5-15,20-30", kPartial, {{0, 15}, {20, 30}}},
        {"bytes=50-60,0-10,55-70", kPartial, {{50, 60}, {0, 10}, {55, 70}}},
        {"bytes=10-20,5-15", kPartial, {{5, 20}}},
        {"bytes=10-20,9-9", kPartial, {{9, 20}}},
        {"bytes=99-99,98-98", kPartial, {{98, 99}}},
        {"bytes=0-1,-99", kPartial, {{0, 99}}},
        {"bytes=0-1,0-", kPartial, {{0, 99}}},
        {"bytes=-10,-20,-30", kPartial, {{70, 99}}},
        {"bytes=0-1,-1", kPartial, {{0, 1}, {99, 99}}},
        {"bytes=0-1,-1,2-3", kPartial, {{0, 1}, {99, 99}, {2, 3}}},
        {"bytes=98-,0-0", kPartial, {{98, 99}, {0, 0}}},
        // Only the range being built absorbs members, so output neighbours may
        // touch or even contain one another.
        {"bytes=0-0,2-2,4-4,3-6", kPartial, {{0, 0}, {2, 2}, {3, 6}}},
        {"bytes=0-0,5-5,1-4,0-0", kPartial, {{0, 0}, {0, 5}}},
        // Dropped unsatisfiable members do not interrupt a merge.
        {"bytes=0-1,200-300,2-3", kPartial, {{0, 3}}},
        {"bytes=0-1,200-300,3-4", kPartial, {{0, 1}, {3, 4}}},
        {"bytes=10-20,0-5,30-40,20-25,60-70,10-12", kPartial,
         {{10, 20}, {0, 5}, {30, 40}, {20, 25}, {60, 70}, {10, 12}}},
    });
}

TEST(ByteRanges, DefaultOverlapAndReversalLimitsRecordedFromApache) {
    std::string ok = "bytes=0-0";
    for (int i = 0; i < 20; ++i) {
        ok += ",0-0";  // 20 overlaps: allowed
    }
    EXPECT_EQ(parse(ok).decision, kPartial);
    EXPECT_EQ(parse(ok + ",0-0").decision, kFull);  // 21
    std::string rev = "bytes=50-50";
    for (int i = 49; i >= 30; --i) {
        rev += "," + std::to_string(i) + "-" + std::to_string(i);  // 20 reversals
    }
    EXPECT_EQ(parse(rev).ranges, R({{30, 50}}));
    EXPECT_EQ(parse(rev + ",29-29").decision, kFull);
}

TEST(ByteRanges, OverlapAndReversalLimitsRecordedFromApache) {
    const RangeLimits two{200, 2, 2};  // MaxRangeOverlaps 2, MaxRangeReversals 2
    run({
            {"bytes=0-5,1-6,2-7", kPartial, {{0, 7}}},
            {"bytes=0-5,1-6,2-7,3-8", kFull, {}},
            {"bytes=0-1,2-3,4-5", kPartial, {{0, 5}}},
            {"bytes=0-1,2-3,4-5,6-7", kFull, {}},
            {"bytes=0-9,1-2,3-4", kPartial, {{0, 9}}},
            {"bytes=0-9,1-2,3-4,5-6", kFull, {}},
            {"bytes=0-1,0-1,0-1", kPartial, {{0, 1}}},
            {"bytes=0-1,0-1,0-1,0-1", kFull, {}},
            {"bytes=10-20,5-15,3-12", kPartial, {{3, 20}}},
            {"bytes=10-20,5-15,3-12,1-4", kFull, {}},
            {"bytes=10-20,9-9,8-8", kPartial, {{8, 20}}},
            {"bytes=10-20,9-9,8-8,7-7", kFull, {}},
            {"bytes=10-20,21-30,0-1,2-3,4-5", kFull, {}},
            {"bytes=-10,-20,-30", kPartial, {{70, 99}}},
            {"bytes=-10,-20,-30,-40", kFull, {}},
            // Descending ranges that do not touch are not reversals.
            {"bytes=50-60,40-45,30-35,20-25,0-1", kPartial,
             {{50, 60}, {40, 45}, {30, 35}, {20, 25}, {0, 1}}},
        },
        100, two);
    const RangeLimits reversals_only{200, kRangeLimitUnlimited, 2};
    run({
            {"bytes=10-20,5-15,3-12,1-4", kFull, {}},
            {"bytes=10-20,9-9,8-8,7-7", kFull, {}},
            {"bytes=0-5,1-6,2-7,3-8", kPartial, {{0, 8}}},
            {"bytes=0-1,2-3,4-5,6-7", kPartial, {{0, 7}}},
            {"bytes=0-1,0-1,0-1,0-1", kPartial, {{0, 1}}},
            {"bytes=0-9,5-5,6-6,7-7", kPartial, {{0, 9}}},
            {"bytes=5-9,0-1,5-9,0-1", kPartial, {{5, 9}, {0, 1}, {5, 9}, {0, 1}}},
        },
        100, reversals_only);
    const RangeLimits overlaps_only{200, 2, kRangeLimitUnlimited};
    run({
            {"bytes=0-9,5-5,6-6,7-7", kFull, {}},
            {"bytes=0-1,5-6,3-3,5-6", kPartial, {{0, 1}, {5, 6}, {3, 3}, {5, 6}}},
        },
        100, overlaps_only);
}

TEST(ByteRanges, NoneLimitsRecordedFromApache) {
    const RangeLimits no_reversals{200, 20, 0};
    run({
            {"bytes=0-1,5-6", kPartial, {{0, 1}, {5, 6}}},
            {"bytes=10-20,9-9", kFull, {}},
            {"bytes=0-5,1-6", kPartial, {{0, 6}}},
            {"bytes=5-6,0-1", kPartial, {{5, 6}, {0, 1}}},
        },
        100, no_reversals);
    const RangeLimits no_overlaps{200, 0, 20};
    run({
            {"bytes=0-1,5-6", kPartial, {{0, 1}, {5, 6}}},
            {"bytes=0-5,1-6", kFull, {}},
            {"bytes=0-1,2-3", kFull, {}},
            {"bytes=5-6,0-1", kPartial, {{5, 6}, {0, 1}}},
        },
        100, no_overlaps);
}

// MaxRanges counts ranges after merging; "none" (0) still gives 416.
TEST(ByteRanges, MaxRangesRecordedFromApache) {
    const RangeLimits two{2, 20, 20};
    run({
            {"bytes=0-1,5-9", kPartial, {{0, 1}, {5, 9}}},
            {"bytes=0-1,5-9,20-30", kFull, {}},
            {"bytes=0-1,1-2,2-3", kPartial, {{0, 3}}},
            {"bytes=0-1,100-200,200-300", kPartial, {{0, 1}}},
            {"bytes=0-1,5-9,0-1", kFull, {}},
            {"bytes=100-", k416, {}},
        },
        100, two);
    const RangeLimits none{0, 20, 20};
    run({{"bytes=0-1", kFull, {}}, {"bytes=0-1,5-9", kFull, {}}, {"bytes=100-", k416, {}},
         {"bytes=abc", kFull, {}}},
        100, none);
}

TEST(ByteRanges, DefaultMaxRangesIs200) {
    std::string h = "bytes=0-0";
    for (int i = 1; i < 200; ++i) {
        h += "," + std::to_string(2 * i) + "-" + std::to_string(2 * i);
    }
    EXPECT_EQ(parse(h, 1000).ranges.size(), 200U);
    EXPECT_EQ(parse(h + ",400-400", 1000).decision, kFull);
    // Members past the end are dropped before counting.
    EXPECT_EQ(parse(h + ",999-,0-0", 100).decision, kPartial);
    const RangeLimits unlimited{kRangeLimitUnlimited, kRangeLimitUnlimited,
                                kRangeLimitUnlimited};
    EXPECT_EQ(parse(h + ",400-400", 1000, unlimited).ranges.size(), 201U);
}

TEST(ByteRanges, OutputSpanBoundsTheResult) {
    std::array<ByteRange, 1> one{};
    const RangeResult r = parse_byte_ranges("bytes=0-1,5-9", 100, {}, one);
    EXPECT_EQ(r.decision, kFull);
    EXPECT_EQ(r.count, 0U);
    const RangeResult merged = parse_byte_ranges("bytes=0-1,2-9", 100, {}, one);
    EXPECT_EQ(merged.decision, kPartial);
    EXPECT_EQ(one[0], (ByteRange{0, 9}));
    EXPECT_EQ(parse_byte_ranges("bytes=100-", 100, {}, std::span<ByteRange>()).decision, k416);
}

TEST(ByteRanges, ContentRangeValues) {
    std::array<char, kMaxContentRangeLength> buf{};
    auto str = [&](std::size_t n) { return std::string(buf.data(), n); };
    EXPECT_EQ(str(format_content_range({0, 1}, 100, buf)), "bytes 0-1/100");
    EXPECT_EQ(str(format_content_range({90, 99}, 100, buf)), "bytes 90-99/100");
    EXPECT_EQ(str(format_content_range({~0ULL - 1, ~0ULL - 1}, ~0ULL, buf)),
              "bytes 18446744073709551614-18446744073709551614/18446744073709551615");
    EXPECT_EQ(str(format_unsatisfied_range(100, buf)), "bytes */100");
    EXPECT_EQ(str(format_unsatisfied_range(0, buf)), "bytes */0");
    std::array<char, 8> small{};
    EXPECT_EQ(format_content_range({0, 1}, 100, small), 0U);
    EXPECT_EQ(format_unsatisfied_range(100, small), 0U);
}

TEST(ByteRanges, BoundaryIsSixteenHexDigits) {
    std::array<char, 16> buf{};
    ASSERT_EQ(format_multipart_boundary(0x867c6663b9a85319ULL, buf), 16U);
    EXPECT_EQ(std::string(buf.data(), 16), "867c6663b9a85319");
    ASSERT_EQ(format_multipart_boundary(0x1fULL, buf), 16U);
    EXPECT_EQ(std::string(buf.data(), 16), "000000000000001f");
    std::array<char, 15> small{};
    EXPECT_EQ(format_multipart_boundary(1, small), 0U);
}

// Renders a plan against `file` so the body can be compared byte for byte.
std::string render(std::span<const ByteRange> ranges, std::string_view type,
                   std::string_view file, std::string_view boundary, std::uint64_t* length) {
    std::vector<char> literals(multipart_literal_capacity(ranges.size(), type, boundary));
    std::vector<BodySegment> segments(2 * ranges.size() + 1);
    const MultipartPlan plan =
        plan_multipart_byteranges(ranges, type, file.size(), boundary, literals, segments);
    EXPECT_TRUE(plan.ok);
    EXPECT_EQ(plan.segment_count, segments.size());
    std::string body;
    for (std::size_t i = 0; i < plan.segment_count; ++i) {
        const BodySegment& s = segments[i];
        if (s.kind == BodySegment::Kind::Literal) {
            body.append(literals.data() + s.offset, s.length);
        } else {
            body.append(file.substr(s.offset, s.length));
        }
    }
    *length = plan.content_length;
    return body;
}

constexpr std::string_view kFile =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
    "OPQRSTUV";

TEST(ByteRanges, MultipartBodyRecordedFromApache) {
    const R ranges{{0, 1}, {5, 9}};
    std::uint64_t length = 0;
    const std::string body = render(ranges, "text/plain", kFile, "867c6663b9a85319", &length);
    EXPECT_EQ(body,
              "\r\n--867c6663b9a85319\r\nContent-type: text/plain\r\n"
              "Content-range: bytes 0-1/100\r\n\r\nab"
              "\r\n--867c6663b9a85319\r\nContent-type: text/plain\r\n"
              "Content-range: bytes 5-9/100\r\n\r\nfghij"
              "\r\n--867c6663b9a85319--\r\n");
    EXPECT_EQ(length, 191U);  // httpd's Content-Length for this request
    EXPECT_EQ(body.size(), length);
}

TEST(ByteRanges, MultipartWithoutContentTypeRecordedFromApache) {
    const R ranges{{0, 1}, {3, 4}};
    std::uint64_t length = 0;
    const std::string body = render(ranges, "", "abcdefghij", "dd561aa933b5db0e", &length);
    EXPECT_EQ(body,
              "\r\n--dd561aa933b5db0e\r\nContent-range: bytes 0-1/10\r\n\r\nab"
              "\r\n--dd561aa933b5db0e\r\nContent-range: bytes 3-4/10\r\n\r\nde"
              "\r\n--dd561aa933b5db0e--\r\n");
    EXPECT_EQ(length, 134U);
}

TEST(ByteRanges, MultipartContentLengthsRecordedFromApache) {
    const struct {
        const char* header;
        std::uint64_t content_length;
    } cases[] = {
        {"bytes=0-1,3-4", 188},
        {"bytes=50-60,40-45,30-35", 293},
        {"bytes=50-60,40-45,30-35,20-25", 381},
        {"bytes=50-60,40-45,30-35,20-25,0-1", 463},
        {"bytes=0-10,5-15,20-30", 214},
        {"bytes=50-60,0-10,55-70", 307},
        {"bytes=10-20,0-5,30-40,20-25,60-70,10-12", 562},
        {"bytes=0-1,-1,2-3", 271},
        {"bytes=5-9,0-1,5-9,0-1", 358},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.header);
        const Outcome o = parse(c.header);
        std::uint64_t length = 0;
        const std::string body = render(o.ranges, "text/plain", kFile, "0123456789abcdef", &length);
        EXPECT_EQ(length, c.content_length);
        EXPECT_EQ(body.size(), length);
    }
    std::uint64_t length = 0;
    const R html{{0, 1}, {4, 5}};
    render(html, "text/html; charset=utf-8", "<p>hello world</p>", "2e5227576061cc6a", &length);
    EXPECT_EQ(length, 214U);
}

TEST(ByteRanges, MultipartPlanRefusesSmallBuffers) {
    const R ranges{{0, 1}, {5, 9}};
    std::vector<char> literals(multipart_literal_capacity(2, "text/plain", "b") - 1);
    std::vector<BodySegment> segments(5);
    EXPECT_FALSE(plan_multipart_byteranges(ranges, "text/plain", 100, "b", literals, segments).ok);
    literals.resize(literals.size() + 1);
    segments.resize(4);
    EXPECT_FALSE(plan_multipart_byteranges(ranges, "text/plain", 100, "b", literals, segments).ok);
    segments.resize(5);
    EXPECT_TRUE(plan_multipart_byteranges(ranges, "text/plain", 100, "b", literals, segments).ok);
}

}  // namespace
}  // namespace sonora::http
