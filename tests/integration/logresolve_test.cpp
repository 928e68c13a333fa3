// The logresolve binary against Apache's (apache2-utils) on the same input:
// same output, same statistics file; and a stub hosts entry.

#include "support/process.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace sonora::test {
namespace {

// Runs `shell_command` (bounded by timeout(1)); returns its exit status.
int sh(const std::string& shell_command) {
    return std::system(("timeout 20 sh -c '" + shell_command + "'").c_str());
}

const char* const kInput =
    "127.0.0.1 - - [24/Nov/2026:00:04:18 +0000] \"GET / HTTP/1.0\" 200 12\n"
    "192.0.2.1 - - [24/Nov/2026:00:04:18 +0000] \"GET /x HTTP/1.0\" 404 9\n"
    "127.0.0.1 again\n"
    "notanip foo\n"
    "\n"
    "::1 v6\n"
    "127.0.0.1\n"
    "10.0.0.300 bad\n"
    "127.0.0.1 no newline at the end";

TEST(LogresolveTest, SameOutputAndStatisticsAsApaches) {
    if (::access("/usr/bin/logresolve", X_OK) != 0) {
        GTEST_SKIP() << "Apache's logresolve (apache2-utils) is not installed";
    }
    TempDir dir;
    const std::string in = dir.write("in.log", kInput);
    for (const char* flags : {"", "-c"}) {
        const std::string d = dir.str() + "/";
        ASSERT_EQ(sh(std::string(SONORA_LOGRESOLVE) + " " + flags + " -s " + d + "ours.stats < " + in + " > " + d +
                     "ours.out"),
                  0);
        ASSERT_EQ(sh(std::string("/usr/bin/logresolve ") + flags + " -s " + d + "apache.stats < " + in + " > " + d +
                     "apache.out"),
                  0);
        EXPECT_EQ(read_file(d + "ours.out"), read_file(d + "apache.out")) << flags;
        EXPECT_EQ(read_file(d + "ours.stats"), read_file(d + "apache.stats")) << flags;
        EXPECT_NE(read_file(d + "ours.out").find("localhost - - [24/Nov"), std::string::npos) << read_file(d + "ours.out");
    }
}

TEST(LogresolveTest, BadOptionsAreRefusedAsApacheRefusesThem) {
    if (::access("/usr/bin/logresolve", X_OK) != 0) {
        GTEST_SKIP() << "Apache's logresolve (apache2-utils) is not installed";
    }
    TempDir dir;
    const std::string d = dir.str() + "/";
    for (const char* flags : {"-x", "-s"}) {
        int ours = sh(std::string(SONORA_LOGRESOLVE) + " " + flags + " < /dev/null 2> " + d + "ours.err");
        int theirs = sh(std::string("/usr/bin/logresolve ") + flags + " < /dev/null 2> " + d + "apache.err");
        EXPECT_EQ(ours, theirs) << flags;
        EXPECT_NE(ours, 0) << flags;
        EXPECT_EQ(read_file(d + "ours.err"), read_file(d + "apache.err")) << flags;
    }
}

TEST(LogresolveTest, ResolvesAStubHostsEntry) {
    if (::geteuid() != 0 || std::system("unshare -m true 2>/dev/null") != 0) {
        GTEST_SKIP() << "needs root and mount namespaces to stub /etc/hosts";
    }
    TempDir dir;
    const std::string hosts = dir.write("hosts", "127.0.0.5 stubhost.example\n" + read_file("/etc/hosts"));
    const std::string in = dir.write("in.log", "127.0.0.5 - - [x] \"GET / HTTP/1.0\" 200 1\n");
    const std::string out = dir.str() + "/out.log";
    ASSERT_EQ(sh("unshare -m sh -c \"mount --bind " + hosts + " /etc/hosts && exec " + SONORA_LOGRESOLVE + " -c < " +
                 in + " > " + out + "\""),
              0);
    EXPECT_EQ(read_file(out), "stubhost.example - - [x] \"GET / HTTP/1.0\" 200 1\n");
}

}  // namespace
}  // namespace sonora::test
