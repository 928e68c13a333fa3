// Include / IncludeOptional path resolution.

#include "config/includes.h"

#include "../support/config_fixture.h"

#include <gtest/gtest.h>

namespace sonora::config {
namespace {

using sonora::test::ConfigRoot;

TEST(Includes, PlainFileAndDirectory) {
    ConfigRoot root;
    root.write("conf/d/b.conf", "");
    root.write("conf/d/a.conf", "");
    root.write("conf/d/sub/c.conf", "");
    auto one = resolve_include(root.path() + "/conf/d/a.conf", false);
    EXPECT_FALSE(one.error);
    EXPECT_EQ(one.files, std::vector<std::string>{root.path() + "/conf/d/a.conf"});
    auto dir = resolve_include(root.path() + "/conf/d", false);
    EXPECT_FALSE(dir.error);
    EXPECT_EQ(dir.files, (std::vector<std::string>{root.path() + "/conf/d/a.conf", root.path() + "/conf/d/b.conf",
                                                   root.path() + "/conf/d/sub/c.conf"}));
}

TEST(Includes, WildcardsInFileAndDirectoryParts) {
    ConfigRoot root;
    root.write("sites-enabled/001.conf", "");
    root.write("sites-enabled/000.conf", "");
    root.write("sites-enabled/skip.load", "");
    root.write("sites-enabled/.hidden.conf", "");
    root.write("mods-x/a.conf", "");
    root.write("mods-y/b.conf", "");
    root.write("mods-y/notdir", "");
    auto files = resolve_include(root.path() + "/sites-enabled/*.conf", false);
    EXPECT_FALSE(files.error);
    EXPECT_EQ(files.files, (std::vector<std::string>{root.path() + "/sites-enabled/000.conf",
                                                     root.path() + "/sites-enabled/001.conf"}));
    auto dirs = resolve_include(root.path() + "/mods-*/*.conf", false);
    EXPECT_FALSE(dirs.error);
    EXPECT_EQ(dirs.files, (std::vector<std::string>{root.path() + "/mods-x/a.conf", root.path() + "/mods-y/b.conf"}));
}

TEST(Includes, MissingThingsFailOnlyWithoutOptional) {
    ConfigRoot root;
    auto missing = resolve_include(root.path() + "/nope.conf", false);
    ASSERT_TRUE(missing.error);
    EXPECT_EQ(*missing.error,
              "Could not open configuration file " + root.path() + "/nope.conf: No such file or directory");
    EXPECT_FALSE(resolve_include(root.path() + "/nope.conf", true).error);

    auto nomatch = resolve_include(root.path() + "/conf*.conf", false);
    ASSERT_TRUE(nomatch.error);
    EXPECT_EQ(*nomatch.error, "Include/IncludeOptional: No matches for the wildcard 'conf*.conf' in '" +
                                  root.path() + "', failing");
    EXPECT_FALSE(resolve_include(root.path() + "/conf*.conf", true).error);

    auto nodir = resolve_include(root.path() + "/nodir/*.conf", false);
    ASSERT_TRUE(nodir.error);
    EXPECT_EQ(*nodir.error, "Include/IncludeOptional: Could not open directory " + root.path() +
                                "/nodir: No such file or directory");
    auto optional = resolve_include(root.path() + "/nodir/*.conf", true);
    EXPECT_FALSE(optional.error);
    EXPECT_TRUE(optional.files.empty());
}

}  // namespace
}  // namespace sonora::config
