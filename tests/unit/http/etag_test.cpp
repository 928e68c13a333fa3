// FileETag output. Expected strings were recorded from httpd 2.4.71 serving a
// 100-byte file with mtime 2020-01-02 03:04:05.123456789 UTC.
#include "http/etag.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace sonora::http {
namespace {

constexpr std::int64_t kMtimeUs = 1577934245123456;  // 0x59b1f7228d580
constexpr std::int64_t kLater = kMtimeUs + 3'600'000'000LL;

std::string etag(const FileETagInput& in, std::int64_t now_us) {
    std::array<char, kMaxFileETagLength> buf{};
    return {buf.data(), make_file_etag(in, now_us, buf)};
}

struct Case {
    const char* name;
    FileETagInput in;
    std::int64_t now_us;
    const char* expected;
};

TEST(ETag, RecordedFromApache) {
    const Case cases[] = {
        {"default MTime Size", {10977329, kMtimeUs, 100, kETagDefault, {}}, kLater,
         "\"64-59b1f7228d580\""},
        {"INode MTime Size", {10977345, kMtimeUs, 100, kETagAll, {}}, kLater,
         "\"a78041-64-59b1f7228d580\""},
        {"INode only", {10977347, kMtimeUs, 100, kETagINode, {}}, kLater, "\"a78043\""},
        {"MTime only", {1, kMtimeUs, 100, kETagMTime, {}}, kLater, "\"59b1f7228d580\""},
        {"empty file", {1, 0x660f8c7b1fd46, 0, kETagDefault, {}}, 0x660f8c7b1fd46 + 5'000'000,
         "\"0-660f8c7b1fd46\""},
        // Fields always come out INode-Size-MTime, whatever order was configured.
        {"INode MTime", {0xabc, 0x10, 7, kETagINode | kETagMTime, {}}, kLater, "\"abc-10\""},
        {"Size only", {0xabc, 0x10, 0x1000, kETagSize, {}}, kLater, "\"1000\""},
        {"zero inode", {0, kMtimeUs, 100, kETagAll, {}}, kLater, "\"0-64-59b1f7228d580\""},
        {"max values", {~0ULL, kMtimeUs, ~0ULL, kETagAll, {}}, kLater,
         "\"ffffffffffffffff-ffffffffffffffff-59b1f7228d580\""},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        EXPECT_EQ(etag(c.in, c.now_us), c.expected);
    }
}

// httpd: age 0.98 s -> W/, 1.02 s -> strong, measured in microseconds (a
// fraction-of-a-second mtime with a 1.05 s age is strong although the
// whole-second difference is 1).
TEST(ETag, WeakWithinOneSecondOfRequest) {
    const struct {
        std::int64_t age_us;
        bool weak;
    } cases[] = {
        {-5'000'000, true}, {-1, true},        {0, true},         {500'000, true},
        {980'000, true},    {1'000'000, true}, {1'000'001, false}, {1'020'000, false},
        {1'050'000, false}, {86'400'000'000, false},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.age_us);
        const FileETagInput in{0, 0x660f8c86f808d, 3, kETagDefault, {}};
        const std::string tag = etag(in, in.mtime_us + c.age_us);
        EXPECT_EQ(tag, c.weak ? "W/\"3-660f8c86f808d\"" : "\"3-660f8c86f808d\"");
        EXPECT_EQ(etag_is_weak(tag), c.weak);
    }
}

TEST(ETag, WeakRuleAppliesToEveryComponentSet) {
    const FileETagInput in{0xa78092, kMtimeUs, 2, kETagINode, {}};
    EXPECT_EQ(etag(in, kMtimeUs + 10), "W/\"a78092\"");
}

TEST(ETag, NoneMeansNoHeader) {
    const FileETagInput in{1, kMtimeUs, 100, kETagNone, {}};
    EXPECT_EQ(etag(in, kLater), "");
}

// "FileETag Digest" (alone or with others) sends only the base64 SHA-1 of the
// body, strong even for a file modified this very second.
TEST(ETag, DigestReplacesOtherFieldsAndIsNeverWeak) {
    const std::string_view digest = "9XLTlvrpIGYocU+yzgD3LpTyJY8=";  // SHA-1("hello\n")
    EXPECT_EQ(etag({1, kMtimeUs, 6, kETagDigest, digest}, kLater),
              "\"9XLTlvrpIGYocU+yzgD3LpTyJY8=\"");
    EXPECT_EQ(etag({1, kMtimeUs, 6, kETagAll | kETagDigest, digest}, kMtimeUs),
              "\"9XLTlvrpIGYocU+yzgD3LpTyJY8=\"");
    // No digest supplied: fall back to the remaining components.
    EXPECT_EQ(etag({1, kMtimeUs, 100, kETagDefault | kETagDigest, {}}, kLater),
              "\"64-59b1f7228d580\"");
    EXPECT_EQ(etag({1, kMtimeUs, 100, kETagDigest, {}}, kLater), "");
}

TEST(ETag, ShortBufferWritesNothing) {
    std::array<char, kMaxFileETagLength - 1> small{};
    EXPECT_EQ(make_file_etag({1, kMtimeUs, 100, kETagDefault, {}}, kLater, small), 0U);
    std::array<char, 10> tiny{};
    EXPECT_EQ(make_file_etag({1, kMtimeUs, 100, kETagDigest, "0123456789"}, kLater, tiny), 0U);
}

TEST(ETag, TimespecTruncatesNanoseconds) {
    const std::timespec ts{1577934245, 123456789};
    EXPECT_EQ(mtime_us_from_timespec(ts), kMtimeUs);
}

TEST(ETag, WeaknessPrefixIsCaseSensitive) {
    EXPECT_TRUE(etag_is_weak("W/\"x\""));
    EXPECT_FALSE(etag_is_weak("w/\"x\""));
    EXPECT_FALSE(etag_is_weak("\"x\""));
    EXPECT_FALSE(etag_is_weak("W"));
}

}  // namespace
}  // namespace sonora::http
