// AuthUserFile and AuthGroupFile contents read with httpd's line rules, and
// the per-thread cache that notices a changed file.

#include "modules/aaa/auth_files.h"

#include "../../support/config_fixture.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <thread>

namespace sonora::modules::aaa {
namespace {

TEST(AuthFiles, UserFileLines) {
    UserFile f = parse_user_file(
        "# comment\n"
        "\n"
        "  alice:$apr1$x$hash  \r\n"
        "bob::{SHA}abc:extra\n"   // a run of colons is one separator
        "alice:second-alice\n"    // the first line wins
        "carol\n"                 // no hash: an empty one
        "dave:realm one:0123abcd\n"
        "eve:a\0b\n"              // a NUL ends the line
        "   # indented comment\n");
    ASSERT_NE(f.hash_of("alice"), nullptr);
    EXPECT_EQ(*f.hash_of("alice"), "$apr1$x$hash");
    ASSERT_NE(f.hash_of("bob"), nullptr);
    EXPECT_EQ(*f.hash_of("bob"), "{SHA}abc");
    ASSERT_NE(f.hash_of("carol"), nullptr);
    EXPECT_EQ(*f.hash_of("carol"), "");
    EXPECT_EQ(f.hash_of("Alice"), nullptr);  // names compare exactly
    EXPECT_EQ(f.hash_of("# comment"), nullptr);
    ASSERT_NE(f.realm_hash_of("dave", "realm one"), nullptr);
    EXPECT_EQ(*f.realm_hash_of("dave", "realm one"), "0123abcd");
    EXPECT_EQ(f.realm_hash_of("dave", "realm two"), nullptr);
}

TEST(AuthFiles, AnOverlongPasswordLineEndsTheFile) {
    std::string text = "alice:a\n" + std::string(9000, 'x') + "\nbob:b\n";
    UserFile f = parse_user_file(text);
    EXPECT_NE(f.hash_of("alice"), nullptr);
    EXPECT_EQ(f.hash_of("bob"), nullptr);
}

TEST(AuthFiles, GroupFileLines) {
    GroupFile g = parse_group_file(
        "# groups\n"
        "admins: alice bob\n"
        "staff:carol   \"dave x\"\n"
        "admins: erin\n"
        "  empty:\n"
        "nocolon alice\n");
    EXPECT_TRUE(g.in_group("alice", "admins"));
    EXPECT_TRUE(g.in_group("bob", "admins"));
    EXPECT_TRUE(g.in_group("erin", "admins"));
    EXPECT_TRUE(g.in_group("carol", "staff"));
    EXPECT_TRUE(g.in_group("dave x", "staff"));
    EXPECT_FALSE(g.in_group("dave", "staff"));
    EXPECT_FALSE(g.in_group("carol", "admins"));
    // A line without a colon is all group name and no member.
    EXPECT_TRUE(g.in_any_group("alice"));
    EXPECT_FALSE(g.in_group("alice", "nocolon"));
    EXPECT_FALSE(g.in_any_group("nobody"));
}

TEST(AuthFiles, CacheFollowsTheFile) {
    test::ConfigRoot root;
    std::string path = root.write("users", "alice:one\n");
    int error = 0;
    auto first = load_user_file(path, error);
    ASSERT_NE(first, nullptr);
    EXPECT_EQ(*first->hash_of("alice"), "one");
    // Rewritten at once, same size: a recent file is read again every time.
    root.write("users", "alice:two\n");
    auto second = load_user_file(path, error);
    ASSERT_NE(second, nullptr);
    EXPECT_EQ(*second->hash_of("alice"), "two");

    // A settled file (unchanged for two seconds: its change time cannot be
    // set back) is kept while its stamp holds, and read again when it changes.
    std::this_thread::sleep_for(std::chrono::milliseconds(2200));
    auto third = load_user_file(path, error);
    auto fourth = load_user_file(path, error);
    ASSERT_NE(third, nullptr);
    EXPECT_EQ(third.get(), fourth.get());
    root.write("users", "alice:three\nbob:x\n");
    auto fifth = load_user_file(path, error);
    ASSERT_NE(fifth, nullptr);
    EXPECT_EQ(*fifth->hash_of("alice"), "three");

    EXPECT_EQ(load_user_file(root.path() + "/missing", error), nullptr);
    EXPECT_EQ(error, ENOENT);
    EXPECT_EQ(load_group_file(root.path(), error), nullptr);  // a directory
    EXPECT_EQ(error, EISDIR);
}

}  // namespace
}  // namespace sonora::modules::aaa
