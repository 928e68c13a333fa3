#include "http/date_cache.h"

#include <gtest/gtest.h>

#include <ctime>
#include <string>

namespace sonora::http {
namespace {

std::string fmt(std::int64_t t) {
    char out[kImfFixdateLength];
    format_imf_fixdate(t, out);
    return {out, kImfFixdateLength};
}

TEST(DateCache, KnownDates) {
    EXPECT_EQ(fmt(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    EXPECT_EQ(fmt(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
    EXPECT_EQ(fmt(951782400), "Tue, 29 Feb 2000 00:00:00 GMT");
    EXPECT_EQ(fmt(1795469533), "Mon, 23 Nov 2026 21:32:13 GMT");
    EXPECT_EQ(fmt(-1), "Wed, 31 Dec 1969 23:59:59 GMT");
    EXPECT_EQ(fmt(253402300799), "Fri, 31 Dec 9999 23:59:59 GMT");
}

TEST(DateCache, AgreesWithGmtime) {
    for (std::int64_t t = -100000000; t < 4000000000; t += 86399 * 37 + 13) {
        const std::time_t tt = static_cast<std::time_t>(t);
        std::tm tm{};
        gmtime_r(&tt, &tm);
        char expect[64];
        std::strftime(expect, sizeof expect, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        ASSERT_EQ(fmt(t), expect) << t;
    }
}

TEST(DateCache, FormatsOncePerSecond) {
    DateCache cache;
    const std::string_view a = cache.get(784111777);
    EXPECT_EQ(a, "Sun, 06 Nov 1994 08:49:37 GMT");
    EXPECT_EQ(cache.get(784111777).data(), a.data());
    EXPECT_EQ(cache.get(784111778), "Sun, 06 Nov 1994 08:49:38 GMT");
}

}  // namespace
}  // namespace sonora::http
