#pragma once
// Access-log destinations: a file opened for appending or a piped program,
// with httpd's BufferedLogs behaviour.
//
// Unbuffered, every line is one write(): with O_APPEND the kernel places it
// whole at the end of the file, so lines from several processes never
// interleave. Buffered, lines collect in a PIPE_BUF-sized buffer and are
// written when the next line would not fit, when the buffer is a second old
// (tick), and at exit (flush_all); a write holds whole lines only, and one of
// at most PIPE_BUF bytes is atomic on a pipe too. A line longer than the
// buffer is written on its own after what is buffered.
//
// A failing write (full disk, I/O error) never stops request processing: the
// lines are dropped, counted, and reported in the error log at most once a
// minute per destination.
//
// Threading: the writers belong to the process. In event and prefork
// children one thread uses them and nothing locks; a worker MPM child calls
// set_log_writers_threaded(true) before starting its threads, and each
// writer's write, tick and flush then take its own mutex.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace sonora::logs {

class PipedLog;

// The buffer size: writes up to PIPE_BUF bytes to a pipe are atomic (POSIX).
inline constexpr std::size_t kLogBufferSize = 4096;

class LogWriter {
public:
    // Opens (creating with mode 0644) a file for appending, or starts the
    // program of a "|..." target. Returns nullptr and sets `error`.
    static std::unique_ptr<LogWriter> open(std::string_view target, std::string_view path, bool buffered,
                                           std::string& error);
    ~LogWriter();
    LogWriter(const LogWriter&) = delete;
    LogWriter& operator=(const LogWriter&) = delete;

    // `lines`: one or more complete lines, each ending in '\n'.
    void write(std::string_view lines, std::int64_t now_ms);
    // Writes buffered lines older than a second; keeps a piped program alive.
    void tick(std::int64_t now_ms);
    void flush();

    // The program's target ("|...") or the file's absolute path.
    const std::string& target() const { return target_; }
    std::uint64_t dropped_lines() const { return dropped_total_; }
    // The pipe's write end for a piped program, else -1.
    int pipe_fd() const;
    // See PipedLog::disown.
    void disown_program();

private:
    LogWriter(std::string target, int fd, std::unique_ptr<PipedLog> pipe, bool buffered);
    void write_now(std::string_view bytes);
    void flush_unlocked();
    void report_failures(std::int64_t now_ms);

    std::mutex mu_;
    std::string target_;
    int fd_ = -1;                     // a file; -1 for a pipe
    std::unique_ptr<PipedLog> pipe_;  // a piped program
    bool buffered_ = false;
    char buffer_[kLogBufferSize];
    std::size_t used_ = 0;
    std::int64_t buffered_since_ms_ = 0;
    std::uint64_t dropped_total_ = 0;
    std::uint64_t dropped_unreported_ = 0;
    int last_errno_ = 0;
    std::int64_t last_report_ms_ = -1'000'000;
};

// The process's open access logs, shared by every server that names the same
// target (one descriptor and one buffer per target).
class LogWriters {
public:
    // The writer for `target`, opened on first use. nullptr and `error` set on failure.
    LogWriter* open(std::string_view target, std::string_view path, bool buffered, std::string& error);
    void tick(std::int64_t now_ms);
    void flush_all();
    void close_all();

    // A restart reopens every file (so that rotated logs are let go) but keeps
    // each piped program the new configuration still names, with its pipe:
    // the old generation's children may still be writing to it.
    void begin_restart();
    void end_restart();  // closes what the new configuration did not reopen
    void abort_restart();  // the new configuration is not used: back to the old writers
    // In a child process: see PipedLog::disown.
    void disown_programs();

private:
    std::vector<std::unique_ptr<LogWriter>> writers_;
    std::vector<std::unique_ptr<LogWriter>> previous_;
    std::vector<const LogWriter*> reused_;  // moved back from previous_ during a restart
};

void set_log_writers_threaded(bool threaded);

// The process-wide set the worker ticks and flushes.
LogWriters& access_log_writers();

}  // namespace sonora::logs
