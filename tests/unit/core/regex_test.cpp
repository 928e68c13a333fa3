// The PCRE2 wrapper's named groups, which regex sections export as
// MATCH_<NAME> (tests/integration/alias_test.cpp shows them at work).

#include "core/regex.h"

#include <gtest/gtest.h>

namespace sonora {
namespace {

TEST(Regex, NamedGroupsWithTheirNumbers) {
    auto re = Regex::compile("^/(x)(?<first>[a-z]+)/(?<Second>[0-9]+)?");
    ASSERT_TRUE(re);
    auto names = re->named_groups();
    ASSERT_EQ(names.size(), 2u);
    // PCRE2's name table is sorted by name.
    EXPECT_EQ(names[0].name, "Second");
    EXPECT_EQ(names[0].number, 3u);
    EXPECT_EQ(names[1].name, "first");
    EXPECT_EQ(names[1].number, 2u);
    std::vector<std::string_view> groups;
    ASSERT_TRUE(re->match("/xabc/", groups));
    EXPECT_EQ(groups[2], "abc");
    EXPECT_TRUE(groups[3].empty());
}

TEST(Regex, NoNamedGroups) {
    auto re = Regex::compile("^/a(b)");
    ASSERT_TRUE(re);
    EXPECT_TRUE(re->named_groups().empty());
}

}  // namespace
}  // namespace sonora
