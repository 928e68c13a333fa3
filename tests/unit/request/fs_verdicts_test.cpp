// FsVerdicts on real files: answers are kept while nothing changes and are
// forgotten on the next walk after any change that could alter them (a write
// in the same clock tick, a replacement by rename, a removal, a new file, a
// rename of a directory above, an owner or mode change); links never kept.

#include "request/fs_verdicts.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace sonora::request {
namespace {

namespace fs = std::filesystem;

class FsVerdictsTest : public ::testing::Test {
protected:
    FsVerdictsTest() {
        std::string tmpl = (fs::temp_directory_path() / "sonora-fsv-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        root = tmpl;
        fs::create_directories(root + "/a/b");
    }
    ~FsVerdictsTest() override { fs::remove_all(root); }
    void write(const std::string& rel, const std::string& text) const {
        std::ofstream(root + "/" + rel, std::ios::trunc) << text;
    }
    // One walk's question: the errno (0 found) and whether it was cached.
    int ask(const std::string& rel, bool& cached, struct stat* out = nullptr, bool no_follow = false) {
        v.begin_walk();
        struct stat st {};
        int e = no_follow ? v.lstat(root + "/" + rel, st, cached) : v.stat(root + "/" + rel, st, cached);
        if (out != nullptr) {
            *out = st;
        }
        return e;
    }
    bool cached_after_asking_twice(const std::string& rel, bool no_follow = false) {
        bool c = false;
        ask(rel, c, nullptr, no_follow);
        ask(rel, c, nullptr, no_follow);
        return c;
    }

    std::string root;
    FsVerdicts v;
};

TEST_F(FsVerdictsTest, AnUnchangedAnswerCostsNoStat) {
    write("a/b/.htaccess", "x\n");
    bool c = false;
    EXPECT_EQ(ask("a/b/.htaccess", c), 0);
    EXPECT_FALSE(c);
    const std::size_t calls = v.system_calls();
    for (int i = 0; i < 10; ++i) {
        EXPECT_EQ(ask("a/b/.htaccess", c), 0);
        EXPECT_TRUE(c);
    }
    EXPECT_EQ(v.system_calls(), calls);  // only the event queue is read, once per walk
    EXPECT_EQ(ask("a/missing", c), ENOENT);
    EXPECT_EQ(ask("a/missing", c), ENOENT);
    EXPECT_TRUE(c);
}

TEST_F(FsVerdictsTest, ARewriteInTheSameTickIsSeen) {
    write("a/b/.htaccess", "one\n");
    ASSERT_TRUE(cached_after_asking_twice("a/b/.htaccess"));
    write("a/b/.htaccess", "two\n");  // same size, most likely the same timestamp
    bool c = true;
    ask("a/b/.htaccess", c);
    EXPECT_FALSE(c);
}

TEST_F(FsVerdictsTest, CreationRemovalAndReplacementAreSeen) {
    bool c = false;
    ASSERT_TRUE(cached_after_asking_twice("a/b/.htaccess"));  // ENOENT, cached
    write("a/b/.htaccess", "new\n");
    EXPECT_EQ(ask("a/b/.htaccess", c), 0);
    EXPECT_FALSE(c);
    ASSERT_TRUE(cached_after_asking_twice("a/b/.htaccess"));
    write("a/b/other", "replacement\n");
    fs::rename(root + "/a/b/other", root + "/a/b/.htaccess");
    struct stat st {};
    EXPECT_EQ(ask("a/b/.htaccess", c, &st), 0);
    EXPECT_FALSE(c);
    EXPECT_EQ(st.st_size, 12);
    ASSERT_TRUE(cached_after_asking_twice("a/b/.htaccess"));
    fs::remove(root + "/a/b/.htaccess");
    EXPECT_EQ(ask("a/b/.htaccess", c), ENOENT);
    EXPECT_FALSE(c);
}

TEST_F(FsVerdictsTest, ARenameHigherUpIsSeen) {
    write("a/b/.htaccess", "old tree\n");
    ASSERT_TRUE(cached_after_asking_twice("a/b/.htaccess"));
    fs::rename(root + "/a", root + "/old");
    fs::create_directories(root + "/a/b");
    bool c = true;
    EXPECT_EQ(ask("a/b/.htaccess", c), ENOENT);
    EXPECT_FALSE(c);
    // And the new directories are watched in turn.
    ASSERT_TRUE(cached_after_asking_twice("a/b/.htaccess"));
    write("a/b/.htaccess", "new tree\n");
    EXPECT_EQ(ask("a/b/.htaccess", c), 0);
    EXPECT_FALSE(c);
}

TEST_F(FsVerdictsTest, ModeAndOwnerChangesAreSeen) {
    write("a/b/f", "f\n");
    ASSERT_TRUE(cached_after_asking_twice("a/b/f", true));
    fs::permissions(root + "/a/b/f", fs::perms::owner_read);
    bool c = true;
    struct stat st {};
    ask("a/b/f", c, &st, true);
    EXPECT_FALSE(c);
    EXPECT_EQ(st.st_mode & 0777, 0400u);
    ASSERT_TRUE(cached_after_asking_twice("a/b", true));  // a directory component
    fs::permissions(root + "/a/b", fs::perms::owner_all);
    ask("a/b", c, nullptr, true);
    EXPECT_FALSE(c);
}

TEST_F(FsVerdictsTest, LinksAreNeverKept) {
    write("a/target", "t\n");
    fs::create_symlink(root + "/a/target", root + "/a/b/link");
    EXPECT_FALSE(cached_after_asking_twice("a/b/link", true));
    EXPECT_FALSE(cached_after_asking_twice("a/b/link", false));  // stat() through it neither
}

// More events than a walk reads (a busy log in a watched directory): the walk
// forgets everything instead of reading on, and answers afresh.
TEST_F(FsVerdictsTest, AFloodOfEventsIsNotReadToTheEnd) {
    write("a/b/.htaccess", "x\n");
    ASSERT_TRUE(cached_after_asking_twice("a/b/.htaccess"));
    for (int i = 0; i < 6000; ++i) {
        write("a/busy-log-file-with-a-long-name-" + std::to_string(i % 50), "line\n");
    }
    bool c = true;
    EXPECT_EQ(ask("a/b/.htaccess", c), 0);
    EXPECT_FALSE(c);
}

}  // namespace
}  // namespace sonora::request
