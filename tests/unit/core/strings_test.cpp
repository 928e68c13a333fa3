// core/strings.h: the helpers shared by the configuration engine and modules.

#include "core/strings.h"

#include <gtest/gtest.h>

namespace sonora {
namespace {

TEST(Strings, FilePathsResolveAsTheDirectoryWalkMergesThem) {
    EXPECT_EQ(resolve_file_path("/var/www/../etc/passwd"), "/var/etc/passwd");
    EXPECT_EQ(resolve_file_path("/../../etc"), "/etc");
    EXPECT_EQ(resolve_file_path("/a//b/./c/"), "/a/b/c/");
    EXPECT_EQ(resolve_file_path("/"), "/");
    EXPECT_EQ(resolve_file_path("/a/b/.."), "/a");
}

}  // namespace
}  // namespace sonora
