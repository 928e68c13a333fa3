// Preconditions and If-Range. Expected statuses were recorded from httpd
// 2.4.71 serving f.txt: ETag "64-59b1f7228d580", Last-Modified
// Thu, 02 Jan 2020 03:04:05 GMT; the request time was late 2026.
#include "http/conditional.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace sonora::http {
namespace {

constexpr std::string_view kETag = "\"64-59b1f7228d580\"";
constexpr std::int64_t kMtime = 1577934245;
constexpr std::int64_t kNow = 1795471713;  // Mon, 23 Nov 2026 22:08:33 GMT
constexpr const char* kLM = "Thu, 02 Jan 2020 03:04:05 GMT";
constexpr const char* kOld = "Thu, 02 Jan 2020 03:04:04 GMT";
constexpr const char* kNew = "Thu, 02 Jan 2020 03:04:06 GMT";
constexpr const char* kFuture = "Thu, 02 Jan 2099 03:04:06 GMT";

using Opt = std::optional<std::string_view>;
constexpr Opt kAbsent = std::nullopt;
constexpr auto P = Precondition::Proceed;
constexpr auto N = Precondition::NotModified;
constexpr auto F = Precondition::PreconditionFailed;

struct Case {
    const char* method;
    Opt if_match;
    Opt ius;
    Opt inm;
    Opt ims;
    Precondition expected;
};

void run(const Case* begin, const Case* end, const Validators& v, std::int64_t now = kNow) {
    for (const Case* c = begin; c != end; ++c) {
        SCOPED_TRACE(std::string(c->method) + " IM=" + std::string(c->if_match.value_or("-")) +
                     " IUS=" + std::string(c->ius.value_or("-")) + " INM=" +
                     std::string(c->inm.value_or("-")) +
                     " IMS=" + std::string(c->ims.value_or("-")));
        const ConditionalHeaders h{c->if_match, c->ius, c->inm, c->ims};
        EXPECT_EQ(evaluate_preconditions(c->method, h, v, now), c->expected);
    }
}

TEST(Conditional, SingleHeadersRecordedFromApache) {
    const std::string weak = "W/" + std::string(kETag);
    const std::string list = "\"x\", " + std::string(kETag);
    const Case cases[] = {
        {"GET", kAbsent, kAbsent, kAbsent, kAbsent, P},
        // If-Match: strong comparison, '*' by first byte.
        {"GET", kETag, kAbsent, kAbsent, kAbsent, P},
        {"GET", "\"x\"", kAbsent, kAbsent, kAbsent, F},
        {"GET", "*", kAbsent, kAbsent, kAbsent, P},
        {"GET", "**", kAbsent, kAbsent, kAbsent, P},
        {"GET", "*, \"x\"", kAbsent, kAbsent, kAbsent, P},
        {"GET", "\"x\", *", kAbsent, kAbsent, kAbsent, F},
        {"GET", weak, kAbsent, kAbsent, kAbsent, F},
        {"GET", list, kAbsent, kAbsent, kAbsent, P},
        {"GET", "garbage", kAbsent, kAbsent, kAbsent, F},
        {"GET", "", kAbsent, kAbsent, kAbsent, F},
        {"GET", "64-59b1f7228d580", kAbsent, kAbsent, kAbsent, F},
        // If-Unmodified-Since.
        {"GET", kAbsent, kLM, kAbsent, kAbsent, P},
        {"GET", kAbsent, kOld, kAbsent, kAbsent, F},
        {"GET", kAbsent, kNew, kAbsent, kAbsent, P},
        {"GET", kAbsent, kFuture, kAbsent, kAbsent, P},
        {"GET", kAbsent, "garbage", kAbsent, kAbsent, P},
        // If-None-Match: weak comparison for GET/HEAD.
        {"GET", kAbsent, kAbsent, kETag, kAbsent, N},
        {"GET", kAbsent, kAbsent, weak, kAbsent, N},
        {"GET", kAbsent, kAbsent, "*", kAbsent, N},
        {"GET", kAbsent, kAbsent, "\"x\"", kAbsent, P},
        {"GET", kAbsent, kAbsent, list, kAbsent, N},
        {"GET", kAbsent, kAbsent, "64-59b1f7228d580", kAbsent, P},
        {"GET", kAbsent, kAbsent, "", kAbsent, P},
        {"HEAD", kAbsent, kAbsent, kETag, kAbsent, N},
        // If-Modified-Since: mtime <= date <= request time.
        {"GET", kAbsent, kAbsent, kAbsent, kLM, N},
        {"GET", kAbsent, kAbsent, kAbsent, kOld, P},
        {"GET", kAbsent, kAbsent, kAbsent, kNew, N},
        {"GET", kAbsent, kAbsent, kAbsent, kFuture, P},
        {"GET", kAbsent, kAbsent, kAbsent, "garbage", P},
        {"HEAD", kAbsent, kAbsent, kAbsent, kNew, N},
        {"HEAD", kAbsent, kAbsent, kAbsent, kOld, P},
    };
    run(std::begin(cases), std::end(cases), {kETag, kMtime});
}

TEST(Conditional, CombinationsRecordedFromApache) {
    const std::string weak = "W/" + std::string(kETag);
    const Case cases[] = {
        // Apache checks If-Unmodified-Since even after a matching If-Match.
        {"GET", kETag, kOld, kAbsent, kAbsent, F},
        {"GET", "*", kOld, kAbsent, kAbsent, F},
        {"GET", "\"x\"", kNew, kAbsent, kAbsent, F},
        {"GET", "\"x\"", "garbage", kAbsent, kAbsent, F},
        {"GET", "\"x\"", kAbsent, kETag, kAbsent, F},
        {"GET", kAbsent, kOld, kETag, kAbsent, F},
        {"GET", kAbsent, kOld, kAbsent, kNew, F},
        {"GET", kETag, kNew, kETag, kAbsent, N},
        // If-None-Match hit: 304 only if If-Modified-Since agrees.
        {"GET", kAbsent, kAbsent, kETag, kOld, P},
        {"GET", kAbsent, kAbsent, kETag, kNew, N},
        {"GET", kAbsent, kAbsent, kETag, "garbage", P},
        {"GET", kAbsent, kAbsent, kETag, kFuture, P},
        {"GET", kAbsent, kAbsent, "*", kOld, P},
        {"GET", kAbsent, kAbsent, weak, kNew, N},
        // If-None-Match miss: If-Modified-Since is not consulted.
        {"GET", kAbsent, kAbsent, "\"x\"", kNew, P},
        {"GET", kAbsent, kAbsent, "", kNew, P},
        {"HEAD", kAbsent, kAbsent, kETag, kOld, P},
    };
    run(std::begin(cases), std::end(cases), {kETag, kMtime});
}

// POST to a static file is served like GET by httpd, which makes the
// non-GET rules observable: strong If-None-Match giving 412, no IMS.
TEST(Conditional, OtherMethodsRecordedFromApache) {
    const std::string weak = "W/" + std::string(kETag);
    const Case cases[] = {
        {"POST", kAbsent, kAbsent, kAbsent, kAbsent, P},
        {"POST", "\"x\"", kAbsent, kAbsent, kAbsent, F},
        {"POST", weak, kAbsent, kAbsent, kAbsent, F},
        {"POST", kAbsent, kAbsent, kETag, kAbsent, F},
        {"POST", kAbsent, kAbsent, weak, kAbsent, P},
        {"POST", kAbsent, kAbsent, "*", kAbsent, F},
        {"POST", kAbsent, kAbsent, kAbsent, kNew, P},
        {"POST", kAbsent, kOld, kAbsent, kAbsent, F},
        {"POST", kAbsent, kAbsent, kETag, kOld, F},
        {"POST", kAbsent, kOld, "\"x\"", kAbsent, F},
        {"POST", kETag, kAbsent, kETag, kAbsent, F},
        {"PUT", kAbsent, kAbsent, kETag, kAbsent, F},
        {"get", kAbsent, kAbsent, kETag, kAbsent, F},  // methods are case-sensitive
    };
    run(std::begin(cases), std::end(cases), {kETag, kMtime});
}

TEST(Conditional, WithoutEtagRecordedFromApache) {
    const Case cases[] = {
        {"GET", kETag, kAbsent, kAbsent, kAbsent, F},
        {"GET", "*", kAbsent, kAbsent, kAbsent, P},
        {"GET", kAbsent, kAbsent, "*", kAbsent, N},
        {"GET", kAbsent, kAbsent, kETag, kAbsent, P},
        {"GET", kAbsent, kAbsent, "\"x\"", kAbsent, P},
    };
    run(std::begin(cases), std::end(cases), {"", kMtime});
}

TEST(Conditional, WeakResourceEtagRecordedFromApache) {
    const std::string_view w = "W/\"2-660f8d74df5b9\"";
    const Case cases[] = {
        {"GET", w, kAbsent, kAbsent, kAbsent, F},
        {"GET", "\"2-660f8d74df5b9\"", kAbsent, kAbsent, kAbsent, F},
        {"GET", kAbsent, kAbsent, w, kAbsent, N},
        {"GET", kAbsent, kAbsent, "\"2-660f8d74df5b9\"", kAbsent, N},
        {"POST", kAbsent, kAbsent, w, kAbsent, P},
        {"POST", kAbsent, kAbsent, "\"2-660f8d74df5b9\"", kAbsent, P},
    };
    run(std::begin(cases), std::end(cases), {w, kNow});
}

// IMS date equal to the request second is "not modified"; one second later
// is ignored (200).
TEST(Conditional, ModifiedSinceBoundedByRequestTime) {
    const Case cases[] = {
        {"GET", kAbsent, kAbsent, kAbsent, "Mon, 23 Nov 2026 22:08:32 GMT", N},
        {"GET", kAbsent, kAbsent, kAbsent, "Mon, 23 Nov 2026 22:08:33 GMT", N},
        {"GET", kAbsent, kAbsent, kAbsent, "Mon, 23 Nov 2026 22:08:34 GMT", P},
    };
    run(std::begin(cases), std::end(cases), {kETag, kMtime});
}

// A file dated in the future is compared as if modified at the request time
// (httpd clamps Last-Modified the same way).
TEST(Conditional, FutureMtimeIsClampedToRequestTime) {
    const std::int64_t future = kNow + 100;
    const Case cases[] = {
        {"GET", kAbsent, kAbsent, kAbsent, "Mon, 23 Nov 2026 22:10:13 GMT", P},  // = mtime
        {"GET", kAbsent, kAbsent, kAbsent, "Mon, 23 Nov 2026 22:08:33 GMT", N},  // = now
        {"GET", kAbsent, "Mon, 23 Nov 2026 22:08:33 GMT", kAbsent, kAbsent, P},
        {"GET", kAbsent, "Mon, 23 Nov 2026 22:08:32 GMT", kAbsent, kAbsent, F},
    };
    run(std::begin(cases), std::end(cases), {kETag, future});
}

TEST(Conditional, EtagListParsingRecordedFromApache) {
    const std::string e(kETag);
    const struct {
        std::string list;
        bool weak_hit;    // If-None-Match on GET
        bool strong_hit;  // If-Match
    } cases[] = {
        {"\"x\" ," + e, true, true},
        {"\"x\" , " + e, true, true},
        {"\"x\",\t" + e, true, true},
        {"\"x\"\t," + e, true, true},
        {e + ",", true, true},
        {e + " ,", true, true},
        {"," + e, true, true},
        {"  ,  ," + e, true, true},
        {"\"x\",," + e, true, true},
        {"\"a,b\", " + e, true, true},
        {e + ";", false, false},
        {e + " x", false, false},
        {"W/ " + e, false, false},
        {"w/" + e, false, false},
        {"W/" + e + " ,\"x\"", true, false},
        {"W/\"x\", W/" + e, true, false},
        {"\"q, " + e + ", \"", false, false},  // commas inside quotes do not split
        {"\"64-59b1f7228d580", false, false},
        {e + "\"", false, false},
        {"\"x\"" + e, false, false},
        {"\"x\" " + e, false, false},
        {"", false, false},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.list);
        EXPECT_EQ(etag_list_contains(c.list, kETag, true), c.weak_hit);
        EXPECT_EQ(etag_list_contains(c.list, kETag, false), c.strong_hit);
    }
}

TEST(Conditional, EtagComparisonFunctions) {
    EXPECT_TRUE(etag_strong_equal("\"a\"", "\"a\""));
    EXPECT_FALSE(etag_strong_equal("W/\"a\"", "\"a\""));
    EXPECT_FALSE(etag_strong_equal("W/\"a\"", "W/\"a\""));
    EXPECT_FALSE(etag_strong_equal("", ""));
    EXPECT_TRUE(etag_weak_equal("W/\"a\"", "\"a\""));
    EXPECT_TRUE(etag_weak_equal("W/\"a\"", "W/\"a\""));
    EXPECT_FALSE(etag_weak_equal("\"a\"", "\"b\""));
    EXPECT_FALSE(etag_weak_equal("", ""));
    EXPECT_FALSE(etag_list_contains("\"a\"", "", true));
}

TEST(IfRange, RecordedFromApache) {
    const std::string e(kETag);
    const struct {
        std::string value;
        bool range_applies;
    } cases[] = {
        {e, true},
        {"W/" + e, false},
        {"\"nope\"", false},
        {kLM, true},
        {kNew, false},
        {kOld, false},
        {"Thursday, 02-Jan-20 03:04:05 GMT", true},
        {"Thu Jan  2 03:04:05 2020", true},
        {"garbage", false},
        {"", false},
        {e + ", \"x\"", false},
        {"*", false},
        {"64-59b1f7228d580", false},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.value);
        EXPECT_EQ(if_range_matches(c.value, {kETag, kMtime}, kNow), c.range_applies);
    }
}

TEST(IfRange, NoEtagStillMatchesByDate) {
    EXPECT_FALSE(if_range_matches(kETag, {"", kMtime}, kNow));
    EXPECT_FALSE(if_range_matches("\"a\"", {"", kMtime}, kNow));
    EXPECT_TRUE(if_range_matches(kLM, {"", kMtime}, kNow));
}

TEST(IfRange, WeakEtagNeverMatches) {
    const std::string_view w = "W/\"2-660f8d15891b4\"";
    EXPECT_FALSE(if_range_matches(w, {w, kNow}, kNow));
    EXPECT_FALSE(if_range_matches("\"2-660f8d15891b4\"", {w, kNow}, kNow));
}

// httpd: mtime 59 whole seconds before the request -> 200, 60 -> 206, for any
// sub-second position of either time (only whole seconds count).
TEST(IfRange, DateMustBeSixtySecondsOld) {
    const std::string_view lm = "Mon, 23 Nov 2026 22:07:33 GMT";  // kNow - 60
    const std::int64_t mtime = kNow - 60;
    EXPECT_TRUE(if_range_matches(lm, {kETag, mtime}, kNow));
    EXPECT_FALSE(if_range_matches(lm, {kETag, mtime}, kNow - 1));
    EXPECT_FALSE(if_range_matches(lm, {kETag, mtime}, mtime));
    EXPECT_TRUE(if_range_matches(lm, {kETag, mtime}, kNow + 3600));
    // A future mtime is clamped to the request time and so never strong.
    EXPECT_FALSE(if_range_matches("Mon, 23 Nov 2026 22:10:13 GMT", {kETag, kNow + 100}, kNow));
}

}  // namespace
}  // namespace sonora::http
