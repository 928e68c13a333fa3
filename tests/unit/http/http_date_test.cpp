// HTTP date formatting and Apache-compatible parsing. Each accepted/rejected
// input in ParseRecordedFromApache was classified by httpd 2.4.71 through
// If-Modified-Since / If-Unmodified-Since against a file dated kRef.
#include "http/http_date.h"

#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <string>

namespace sonora::http {
namespace {

constexpr std::int64_t kRef = 1577934245;  // Thu, 02 Jan 2020 03:04:05 GMT

std::string fmt(std::int64_t t) {
    std::array<char, kHttpDateLength> buf{};
    return {buf.data(), format_http_date(t, buf)};
}

TEST(HttpDate, FormatsImfFixdate) {
    const struct {
        std::int64_t t;
        const char* text;
    } cases[] = {
        {0, "Thu, 01 Jan 1970 00:00:00 GMT"},
        {kRef, "Thu, 02 Jan 2020 03:04:05 GMT"},
        {784111777, "Sun, 06 Nov 1994 08:49:37 GMT"},  // RFC 9110's example
        {951782400, "Tue, 29 Feb 2000 00:00:00 GMT"},
        {1795471713, "Mon, 23 Nov 2026 22:08:33 GMT"},
        {-1, "Wed, 31 Dec 1969 23:59:59 GMT"},
        {-62167219200, "Sat, 01 Jan 0000 00:00:00 GMT"},
        {253402300799, "Fri, 31 Dec 9999 23:59:59 GMT"},
        {4102444800, "Fri, 01 Jan 2100 00:00:00 GMT"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.t);
        EXPECT_EQ(fmt(c.t), c.text);
    }
}

TEST(HttpDate, FormatRefusesOutOfRangeYearsAndShortBuffers) {
    EXPECT_EQ(fmt(253402300800), "");    // year 10000
    EXPECT_EQ(fmt(-62167219201), "");    // year -1
    std::array<char, kHttpDateLength - 1> small{};
    EXPECT_EQ(format_http_date(kRef, small), 0U);
}

struct ParseCase {
    const char* text;
    std::optional<std::int64_t> expected;
};

TEST(HttpDate, ParseRecordedFromApache) {
    const std::optional<std::int64_t> bad;
    const ParseCase cases[] = {
        // The three RFC 9110 formats.
        {"Thu, 02 Jan 2020 03:04:05 GMT", kRef},
        {"Thursday, 02-Jan-20 03:04:05 GMT", kRef},
        {"Thu Jan  2 03:04:05 2020", kRef},
        {"Thu Jan 02 03:04:05 2020", kRef},
        {"Thu, 02 Jan 2020 03:04:04 GMT", kRef - 1},
        // The weekday is skipped unchecked up to the first space.
        {"Mon, 02 Jan 2020 03:04:05 GMT", kRef},
        {"Thu 02 Jan 2020 03:04:05 GMT", kRef},
        {"X 02 Jan 2020 03:04:05 GMT", kRef},
        {", 02 Jan 2020 03:04:05 GMT", kRef},
        {"   Thu, 02 Jan 2020 03:04:05 GMT", kRef},
        {"02 Jan 2020 03:04:05 GMT", bad},
        {"Thu,02 Jan 2020 03:04:05 GMT", bad},
        {"Thu,\t02 Jan 2020 03:04:05 GMT", bad},
        // The zone is never read, but something must follow a space.
        {"Thu, 02 Jan 2020 03:04:05 UTC", kRef},
        {"Thu, 02 Jan 2020 03:04:05 +0100", kRef},
        {"Thu, 02 Jan 2020 03:04:05 EST", kRef},
        {"Thu, 02 Jan 2020 03:04:05 G", kRef},
        {"Thu, 02 Jan 2020 03:04:05 GMT xyz", kRef},
        {"Thu, 02 Jan 2020 03:04:05 GMTxyz", kRef},
        {"Thu, 02 Jan 2020 03:04:05", bad},
        {"Thu, 02 Jan 2020 03:04:05GMT", bad},
        {"Thu, 02 Jan 2020 03:04:05\tGMT", bad},
        // Spacing and digit counts are exact, except a 1-digit IMF day.
        {"Thu, 2 Jan 2020 03:04:05 GMT", kRef},
        {"Thu,  02 Jan 2020 03:04:05 GMT", bad},
        {"Thu, 02 Jan 2020  03:04:05 GMT", bad},
        {"Thu, 02\tJan 2020 03:04:05 GMT", bad},
        {"Thu, 02 Jan 20 03:04:05 GMT", bad},
        {"Thu, 02 Jan 20200 03:04:05 GMT", bad},
        {"Thu, 02 Jan 2020 03:04 GMT", bad},
        {"Thu, 02 Jan 2020 3:04:05 GMT", bad},
        {"Thu, 02 Jan 2020 03:4:05 GMT", bad},
        {"Thu, 02 Jan 2020 0x:04:05 GMT", bad},
        {"Thu, +2 Jan 2020 03:04:05 GMT", bad},
        {"Thu, 02 Jan 2020 03-04-05 GMT", bad},
        // Month names are case-sensitive.
        {"Thu, 02 jan 2020 03:04:05 GMT", bad},
        {"Thu, 02 JAN 2020 03:04:05 GMT", bad},
        {"Thu, 02 Foo 2020 03:04:05 GMT", bad},
        {"Thursday, 02-jan-20 03:04:05 GMT", bad},
        // RFC 850: two-digit year only, 00-69 -> 20xx, 70-99 -> 19xx.
        {"Thursday, 02-Jan-20 03:04:04 GMT", kRef - 1},
        {"Thursday, 02-Jan-2020 03:04:05 GMT", bad},
        {"Thursday, 2-Jan-20 03:04:05 GMT", bad},
        {"Thursday,02-Jan-20 03:04:05 GMT", bad},
        {"Thursday, 02-Jan-20 03:04:05", bad},
        {"Thursday, 02-Jan-20 03:04:05 x", kRef},
        {"Thursday, 02-Jan-69 03:04:05 GMT", 3124321445},
        {"Thursday, 02-Jan-70 03:04:05 GMT", 97445},
        // asctime: day may be " D" or "DD"; anything may follow the year.
        {"Thu Jan  2 03:04:04 2020", kRef - 1},
        {"Thu Jan 2 03:04:05 2020", bad},
        {"Thu Jan 2  03:04:05 2020", bad},
        {"Thu Jan  2 03:04:05  2020", bad},
        {"Thu Jan  2 03:04:05 2020 GMT", kRef},
        {"Thu Jan  2 03:04:05 2020xyz", kRef},
        {"Thu Jan  2 03:04:05 20201", kRef},
        {"Thu Jan  2 03:04:05 99", bad},
        // Field ranges: seconds 60 and 61 roll over; 62 does not exist.
        {"Thu, 02 Jan 2020 03:04:60 GMT", kRef + 55},
        {"Thu, 02 Jan 2020 03:03:60 GMT", kRef - 5},
        {"Thu, 02 Jan 2020 03:03:61 GMT", kRef - 4},
        {"Thu, 02 Jan 2020 03:03:62 GMT", bad},
        {"Thu, 02 Jan 2020 24:00:00 GMT", bad},
        {"Thu, 02 Jan 2020 03:60:00 GMT", bad},
        {"Thu, 02 Jan 2020 23:59:59 GMT", kRef + 75354},
        {"Thu, 32 Jan 2020 03:04:05 GMT", bad},
        {"Thu, 00 Jan 2020 03:04:05 GMT", bad},
        {"Thu, 30 Jun 2020 00:00:00 GMT", 1593475200},
        {"Thu, 31 Jun 2020 00:00:00 GMT", bad},
        {"Fri, 31 Apr 2020 00:00:00 GMT", bad},
        {"Sat, 29 Feb 2020 00:00:00 GMT", 1582934400},
        {"Tue, 29 Feb 2000 00:00:00 GMT", 951782400},
        {"Fri, 29 Feb 2019 00:00:00 GMT", bad},
        {"Sun, 30 Feb 2020 00:00:00 GMT", bad},
        // Years: nothing before 1970, and the epoch itself reads as "bad".
        {"Fri, 31 Dec 1999 00:00:00 GMT", 946598400},
        {"Fri, 01 Jan 1970 00:00:00 GMT", bad},
        {"Fri, 01 Jan 1970 00:00:01 GMT", 1},
        {"Fri, 31 Dec 1969 00:00:00 GMT", bad},
        {"Fri, 31 Dec 1969 23:59:61 GMT", bad},
        {"Fri, 31 Dec 1900 00:00:00 GMT", bad},
        {"Fri, 31 Dec 0000 00:00:00 GMT", bad},
        {"Fri, 31 Dec 9999 23:59:59 GMT", 253402300799},
        // Degenerate input.
        {"", bad},
        {"   ", bad},
        {"garbage", bad},
        {"Thu,", bad},
        {"Thu, ", bad},
    };
    for (const ParseCase& c : cases) {
        SCOPED_TRACE(c.text);
        EXPECT_EQ(parse_http_date(c.text), c.expected);
    }
}

TEST(HttpDate, GregorianLeapCenturies) {
    EXPECT_EQ(parse_http_date("Tue, 29 Feb 2100 00:00:00 GMT"), std::nullopt);
    EXPECT_EQ(parse_http_date("Tue, 29 Feb 2400 00:00:00 GMT"), 13574563200);
}

TEST(HttpDate, FormatParseRoundTrip) {
    for (std::int64_t t = 1; t < 253402300799; t = t * 3 + 12345) {
        SCOPED_TRACE(t);
        EXPECT_EQ(parse_http_date(fmt(t)), t);
    }
}

TEST(HttpDate, ParseDoesNotReadPastTheView) {
    const std::string buffer = "Thu, 02 Jan 2020 03:04:05 GMT";
    // Truncated views must fail without looking at the bytes beyond them.
    for (std::size_t n = 0; n < 26; ++n) {
        SCOPED_TRACE(n);
        EXPECT_EQ(parse_http_date(std::string_view(buffer).substr(0, n)), std::nullopt);
    }
    EXPECT_EQ(parse_http_date(std::string_view(buffer).substr(0, 27)), kRef);
}

}  // namespace
}  // namespace sonora::http
