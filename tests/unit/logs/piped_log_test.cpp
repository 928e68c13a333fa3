// Piped logs: programs started directly or through the shell, restarted
// when they die without losing what was written, and never blocking.

#include "logs/piped_log.h"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

namespace sonora::logs {
namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Calls maintain() until `path` holds `want` (bounded: 5 s).
std::string wait_for(PipedLog& log, const std::string& path, const std::string& want) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    std::string got;
    while (std::chrono::steady_clock::now() < deadline) {
        log.maintain();
        got = slurp(path);
        if (got == want) {
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return got;
}

std::string temp_file(const std::string& name) {
    return "/tmp/sonora-piped-" + std::to_string(::getpid()) + "-" + name;
}

TEST(PipedLogTest, ShellAndDirectProgramsGetTheLines) {
    const std::string shell_out = temp_file("shell");
    const std::string direct_out = temp_file("direct with space");
    std::string error;
    auto shell = PipedLog::open("|$cat >> " + shell_out, error);
    ASSERT_TRUE(shell) << error;
    // Direct execution: argv split with quotes honoured, no shell.
    auto direct = PipedLog::open("||/usr/bin/dd bs=4096 status=none \"of=" + direct_out + "\"", error);
    ASSERT_TRUE(direct) << error;
    shell->write("one\ntwo\n");
    direct->write("three\n");
    EXPECT_EQ(wait_for(*shell, shell_out, "one\ntwo\n"), "one\ntwo\n");
    EXPECT_EQ(wait_for(*direct, direct_out, "three\n"), "three\n");
    ::unlink(shell_out.c_str());
    ::unlink(direct_out.c_str());
}

TEST(PipedLogTest, AProgramThatCannotStartIsAnError) {
    std::string error;
    EXPECT_FALSE(PipedLog::open("|/nonexistent/logger -x", error));
    EXPECT_NE(error.find("Couldn't start piped log process '/nonexistent/logger -x'."), std::string::npos) << error;
}

// True once `pid` has exited (a zombie until the PipedLog reaps it).
bool has_exited(pid_t pid) {
    std::string stat = slurp("/proc/" + std::to_string(pid) + "/stat");
    auto paren = stat.rfind(')');
    return stat.empty() || (paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'Z');
}

TEST(PipedLogTest, KilledProgramIsRestartedAndNoLineIsLost) {
    const std::string out = temp_file("restart");
    std::string error;
    auto log = PipedLog::open("|$cat >> " + out, error);
    ASSERT_TRUE(log) << error;
    std::string want;
    auto write_lines = [&](int from, int to) {
        for (int i = from; i < to; ++i) {
            std::string line = "line " + std::to_string(i) + "\n";
            log->write(line);
            want += line;
        }
    };
    write_lines(0, 20);
    ASSERT_EQ(wait_for(*log, out, want), want);
    const pid_t first = log->pid();
    ::kill(first, SIGKILL);
    for (int i = 0; i < 250 && !has_exited(first); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_TRUE(has_exited(first));
    // Written while nobody reads: they wait in the pipe for the next program.
    write_lines(20, 40);
    for (int i = 0; i < 250 && log->restarts() == 0; ++i) {
        log->maintain();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_EQ(log->restarts(), 1u);
    EXPECT_NE(log->pid(), first);
    write_lines(40, 50);
    EXPECT_EQ(wait_for(*log, out, want), want);
    ::unlink(out.c_str());
}

TEST(PipedLogTest, AStalledProgramNeverBlocksTheWriter) {
    std::string error;
    // sleep never reads its stdin: the pipe fills, then the backlog, then writes are dropped.
    auto log = PipedLog::open("||/bin/sleep 30", error);
    ASSERT_TRUE(log) << error;
    const std::string chunk(64 * 1024, 'x');
    for (int i = 0; i < 200; ++i) {  // 12.5 MiB, more than pipe and backlog hold
        log->write(chunk);
    }
    EXPECT_TRUE(log->has_backlog());
    EXPECT_GT(log->dropped_writes(), 0u);
}

}  // namespace
}  // namespace sonora::logs
