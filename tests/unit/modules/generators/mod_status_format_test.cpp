// mod_status's number, size, uptime and escaping formats, as Apache 2.4 prints them.

#include "modules/generators/mod_status_format.h"

#include <gtest/gtest.h>

namespace sonora::modules::generators::status {
namespace {

TEST(StatusFormat, GeneralNumbersAsAprPrintsThem) {
    EXPECT_EQ(format_g(0), "0");
    EXPECT_EQ(format_g(1), "1");
    EXPECT_EQ(format_g(0.5), ".5");
    EXPECT_EQ(format_g(-0.25), "-.25");
    EXPECT_EQ(format_g(0.01f), ".01");
    EXPECT_EQ(format_g(15.0f / 35.0f), ".428571");
    EXPECT_EQ(format_g(1024 * 52.0f / 35.0f), "1521.37");
    EXPECT_EQ(format_g(14.0f / 22.0f, 3), ".636");
    EXPECT_EQ(format_g(5.0f / 14.0f), ".357143");
    EXPECT_EQ(format_g(12345678.0), "1.23457e+7");
    EXPECT_EQ(format_g(0.00001), "1e-5");
    EXPECT_EQ(format_g(0.0001), ".0001");
}

TEST(StatusFormat, BytesInHttpdsUnits) {
    EXPECT_EQ(format_bytes(0), "0 B");
    EXPECT_EQ(format_bytes(2048), "2048 B");
    EXPECT_EQ(format_bytes(5119), "5119 B");
    EXPECT_EQ(format_bytes(5120), "5.0 kB");
    EXPECT_EQ(format_bytes(112537), "109.9 kB");
    EXPECT_EQ(format_bytes(512 * 1024 - 1), "512.0 kB");
    EXPECT_EQ(format_bytes(512 * 1024), "0.5 MB");
    EXPECT_EQ(format_bytes(3ull << 30), "3.0 GB");
}

TEST(StatusFormat, KilobytesInHttpdsUnits) {
    EXPECT_EQ(format_kbytes(0), "0 kB");
    EXPECT_EQ(format_kbytes(1023), "1023 kB");
    EXPECT_EQ(format_kbytes(1024), "1.0 MB");
    EXPECT_EQ(format_kbytes(60293120), "57.5 GB");
}

TEST(StatusFormat, UptimeInWords) {
    EXPECT_EQ(format_uptime(0), "");
    EXPECT_EQ(format_uptime(1), " 1 second");
    EXPECT_EQ(format_uptime(35), " 35 seconds");
    EXPECT_EQ(format_uptime(3600), " 1 hour");
    EXPECT_EQ(format_uptime(7322), " 2 hours 2 minutes 2 seconds");
    EXPECT_EQ(format_uptime(90061), " 1 day 1 hour 1 minute 1 second");
    EXPECT_EQ(format_uptime(6 * 86400 + 8 * 3600 + 27 * 60 + 13), " 6 days 8 hours 27 minutes 13 seconds");
}

TEST(StatusFormat, TimeIsHttpdsLongForm) {
    // 2026-12-06 06:47:46 UTC; the test runs in the machine's zone, so check the shape.
    std::string t = format_time(1796539666LL * 1'000'000);
    EXPECT_NE(t.find(", "), std::string::npos) << t;
    EXPECT_NE(t.find("-Dec-2026 "), std::string::npos) << t;
}

TEST(StatusFormat, EscapingForThePage) {
    std::string out;
    append_html(out, "a&b<c>\"d");
    EXPECT_EQ(out, "a&amp;b&lt;c&gt;&quot;d");
    out.clear();
    append_logitem_html(out, "GET /a\"<b>\x01\\ HTTP/1.1");
    EXPECT_EQ(out, "GET /a\\&quot;&lt;b&gt;\\x01\\\\ HTTP/1.1");
}

}  // namespace
}  // namespace sonora::modules::generators::status
