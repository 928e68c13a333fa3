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

// An event about a name that merely begins like a kept one forgets nothing,
// and the epoch, which says whether anything was forgotten, stays.
TEST_F(FsVerdictsTest, OnlyWhatAnEventNamesIsForgotten) {
    fs::create_directories(root + "/a/bb");
    write("a/bb/.htaccess", "x\n");
    ASSERT_TRUE(cached_after_asking_twice("a/bb/.htaccess"));
    const std::uint64_t epoch = v.epoch();
    fs::permissions(root + "/a/b", fs::perms::owner_all);  // an event naming "a/b"
    bool c = false;
    EXPECT_EQ(ask("a/bb/.htaccess", c), 0);
    EXPECT_TRUE(c);
    EXPECT_EQ(v.epoch(), epoch);
    write("a/bb/.htaccess", "z\n");
    EXPECT_EQ(ask("a/bb/.htaccess", c), 0);
    EXPECT_FALSE(c);
    EXPECT_NE(v.epoch(), epoch);
}

// Under an event loop that reads the queue first thing in any turn where it
// has events, a walk reads it only for a request that may have arrived since
// that turn's wait: on a connection just opened, pipelined behind another of
// its connection's requests in the same turn, or from no known connection.
TEST_F(FsVerdictsTest, UnderAnEventLoopAWalkReadsTheQueueOnlyWhenItMustHaveTo) {
    std::uint64_t turns = 1;
    int watched_fd = -1;
    v.use_event_loop({[&](int fd) {
                          watched_fd = fd;
                          return true;
                      },
                      &turns});
    write("a/b/.htaccess", "x\n");
    struct stat st {};
    bool c = false;
    EXPECT_EQ(v.stat(root + "/a/b/.htaccess", st, c), 0);  // opens the queue
    ASSERT_GE(watched_fd, 0);
    int conn1 = 0, conn2 = 0;
    const char request[] = "GET / HTTP/1.1\r\nGET /again HTTP/1.1";
    auto reads_for = [&](const void* connection, const void* req) {
        const std::size_t before = v.queue_reads();
        v.begin_walk(connection, req);
        return v.queue_reads() - before;
    };
    EXPECT_EQ(reads_for(&conn1, request), 0u);       // arrived before the turn's wait
    EXPECT_EQ(reads_for(&conn1, request), 0u);       // the same request again (a subrequest)
    EXPECT_EQ(reads_for(&conn2, request), 0u);       // another connection's first
    EXPECT_GT(reads_for(&conn1, request + 16), 0u);  // pipelined behind the first
    EXPECT_GT(reads_for(nullptr, request), 0u);      // unknown
    v.connection_opened();
    EXPECT_GT(reads_for(&conn2, request), 0u);  // it may have been read since the wait
    EXPECT_EQ(reads_for(&conn2, request), 0u);
    ++turns;
    EXPECT_EQ(reads_for(&conn1, request + 16), 0u);  // first in the new turn
    // A change is read by the loop (drain()) before the turn's walks.
    write("a/b/.htaccess", "changed\n");
    ++turns;
    v.drain();
    EXPECT_EQ(reads_for(&conn1, request), 0u);
    EXPECT_EQ(v.stat(root + "/a/b/.htaccess", st, c), 0);
    EXPECT_FALSE(c);
    EXPECT_EQ(st.st_size, 8);
}

}  // namespace
}  // namespace sonora::request
