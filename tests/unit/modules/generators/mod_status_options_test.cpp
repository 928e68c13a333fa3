// The server-status query as httpd 2.4 reads it: substrings anywhere in the raw query.

#include "modules/generators/mod_status_options.h"

#include <gtest/gtest.h>

#include <climits>

namespace sonora::modules::generators::status {
namespace {

TEST(StatusOptions, NoneByDefault) {
    Options o = parse_options("");
    EXPECT_FALSE(o.refresh);
    EXPECT_FALSE(o.notable);
    EXPECT_FALSE(o.machine);
}

TEST(StatusOptions, EachAloneAndCombined) {
    EXPECT_TRUE(parse_options("auto").machine);
    EXPECT_TRUE(parse_options("notable").notable);
    Options all = parse_options("auto&notable&refresh=2");
    EXPECT_TRUE(all.machine);
    EXPECT_TRUE(all.notable);
    EXPECT_EQ(all.refresh, 2);
    // Found anywhere, as httpd's strstr finds them.
    EXPECT_TRUE(parse_options("x=autox").machine);
    EXPECT_TRUE(parse_options("format=notable;").notable);
}

struct RefreshCase {
    const char* query;
    long seconds;
};

TEST(StatusOptions, RefreshSecondsAsAtolReadsThem) {
    const RefreshCase cases[] = {
        {"refresh", 10},     {"refresh=3", 3}, {"refresh=0", 10},  {"refresh=-5", 10},
        {"refresh=abc", 10}, {"refresh=7abc", 7}, {"refresh= 4", 4}, {"xrefreshy=5", 10},
        {"refresh=", 10},    {"refresh=+6", 6}, {"auto&refresh=60", 60},
        {"refresh=99999999999999999999", LONG_MAX},
    };
    for (const auto& c : cases) {
        Options o = parse_options(c.query);
        ASSERT_TRUE(o.refresh) << c.query;
        EXPECT_EQ(*o.refresh, c.seconds) << c.query;
    }
}

}  // namespace
}  // namespace sonora::modules::generators::status
