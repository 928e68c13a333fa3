#pragma once
// Piped logs: "|program args" (and httpd 2.4's "||program" and "|$command")
// as a CustomLog or ErrorLog target.
//
// httpd 2.4 runs "|prog" and "||prog" directly (argv split on white space,
// quotes honoured, no shell, no PATH search) and "|$cmd" through /bin/sh -c.
//
// The server creates one pipe per target and keeps both ends for the life of
// the configuration; the program reads the other end as its stdin. Because
// the server still holds the read end, a write never fails when the program
// dies, and what the dead program had not read yet is read by the program
// started in its place (maintain()): no line is lost across a restart.
//
// The write end is non-blocking: what the pipe cannot take now waits in a
// backlog (bounded; beyond it whole writes are dropped and counted), so a
// stalled logger never stalls request processing. Writes are whole lines and
// leave in order.

#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sonora::logs {

class PipedLog {
public:
    // `target` as written, starting with '|'. Starts the program. nullptr and
    // `error` set when the pipe or the program cannot be created.
    static std::unique_ptr<PipedLog> open(std::string_view target, std::string& error);
    ~PipedLog();
    PipedLog(const PipedLog&) = delete;
    PipedLog& operator=(const PipedLog&) = delete;

    void write(std::string_view bytes);
    // Starts the program again if it exited (at most once a second), then
    // writes what waits in the backlog. Called on SIGCHLD and on a timer.
    void maintain();
    // In a child of the server's parent: the program belongs to the parent,
    // which restarts it; this process only writes (and never waits for it).
    void disown();
    bool has_backlog() const { return !backlog_.empty(); }
    std::uint64_t dropped_writes() const { return dropped_; }
    std::uint64_t restarts() const { return restarts_; }
    pid_t pid() const { return pid_; }
    int write_fd() const { return write_fd_; }
    const std::string& command() const { return command_; }

    static constexpr std::size_t kMaxBacklog = 4u << 20;

private:
    PipedLog() = default;
    bool spawn();
    void drain_backlog();

    std::string command_;
    std::vector<std::string> argv_;
    int read_fd_ = -1;
    int write_fd_ = -1;
    pid_t pid_ = -1;
    bool owner_ = true;
    std::int64_t last_spawn_ms_ = 0;
    std::deque<std::string> backlog_;  // whole writes; the front one may be partly written
    std::size_t front_written_ = 0;
    std::size_t backlog_bytes_ = 0;
    std::uint64_t dropped_ = 0;
    std::uint64_t restarts_ = 0;
};

}  // namespace sonora::logs
