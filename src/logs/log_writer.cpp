#include "logs/log_writer.h"

#include "core/strings.h"

#include <algorithm>
#include <atomic>
#include <mutex>

#include "core/log.h"
#include "logs/piped_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sonora::logs {

namespace {

constexpr std::int64_t kFlushAfterMs = 1000;
constexpr std::int64_t kReportEveryMs = 60'000;

std::size_t count_lines(std::string_view bytes) {
    std::size_t n = 0;
    for (char c : bytes) {
        n += c == '\n' ? 1 : 0;
    }
    return n;
}

}  // namespace

std::unique_ptr<LogWriter> LogWriter::open(std::string_view target, std::string_view path, bool buffered,
                                           std::string& error) {
    if (!target.empty() && target.front() == '|') {
        auto pipe = PipedLog::open(target, error);
        if (!pipe) {
            return nullptr;
        }
        return std::unique_ptr<LogWriter>(new LogWriter(std::string(target), -1, std::move(pipe), buffered));
    }
    std::string p(path);
    int fd = ::open(p.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        int e = errno;
        error = errno_text(e) + ": SN00649: could not open transfer log file " +
                p + ".";
        return nullptr;
    }
    return std::unique_ptr<LogWriter>(new LogWriter(std::move(p), fd, nullptr, buffered));
}

LogWriter::LogWriter(std::string target, int fd, std::unique_ptr<PipedLog> pipe, bool buffered)
    : target_(std::move(target)), fd_(fd), pipe_(std::move(pipe)), buffered_(buffered) {}

LogWriter::~LogWriter() {
    flush();
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

int LogWriter::pipe_fd() const { return pipe_ ? pipe_->write_fd() : -1; }

void LogWriter::disown_program() {
    if (pipe_) {
        pipe_->disown();
    }
}

void LogWriter::write_now(std::string_view bytes) {
    if (bytes.empty()) {
        return;
    }
    if (pipe_) {
        // The piped log keeps what the pipe cannot take now and drops (and
        // counts) only beyond its backlog limit.
        pipe_->write(bytes);
        return;
    }
    for (;;) {
        ssize_t n = ::write(fd_, bytes.data(), bytes.size());
        if (n == static_cast<ssize_t>(bytes.size())) {
            return;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        // A short write means the file system is full: what is left of the
        // lines is dropped rather than written later out of order.
        last_errno_ = n < 0 ? errno : ENOSPC;
        std::size_t written = n > 0 ? static_cast<std::size_t>(n) : 0;
        std::size_t lost = count_lines(bytes.substr(written));
        dropped_total_ += lost;
        dropped_unreported_ += lost;
        return;
    }
}

namespace {

std::atomic<bool> g_threaded{false};

// The writers' lock, taken only once a process serves from several threads
// (the worker MPM): event and prefork children pay nothing for it.
class ThreadGuard {
public:
    explicit ThreadGuard(std::mutex& m) : m_(g_threaded.load(std::memory_order_relaxed) ? &m : nullptr) {
        if (m_ != nullptr) {
            m_->lock();
        }
    }
    ~ThreadGuard() {
        if (m_ != nullptr) {
            m_->unlock();
        }
    }
    ThreadGuard(const ThreadGuard&) = delete;
    ThreadGuard& operator=(const ThreadGuard&) = delete;

private:
    std::mutex* m_;
};

}  // namespace

void set_log_writers_threaded(bool threaded) { g_threaded.store(threaded, std::memory_order_relaxed); }

void LogWriter::write(std::string_view lines, std::int64_t now_ms) {
    ThreadGuard guard(mu_);
    if (!buffered_) {
        write_now(lines);
    } else {
        if (used_ + lines.size() > sizeof buffer_) {
            flush_unlocked();
        }
        if (lines.size() >= sizeof buffer_) {
            write_now(lines);
        } else {
            if (used_ == 0) {
                buffered_since_ms_ = now_ms;
            }
            std::memcpy(buffer_ + used_, lines.data(), lines.size());
            used_ += lines.size();
        }
    }
    if (dropped_unreported_ > 0) {
        report_failures(now_ms);
    }
}

void LogWriter::flush() {
    ThreadGuard guard(mu_);
    flush_unlocked();
}

void LogWriter::flush_unlocked() {
    std::size_t n = used_;
    used_ = 0;
    write_now(std::string_view(buffer_, n));
}

void LogWriter::tick(std::int64_t now_ms) {
    ThreadGuard guard(mu_);
    if (used_ > 0 && now_ms - buffered_since_ms_ >= kFlushAfterMs) {
        flush_unlocked();
    }
    if (pipe_) {
        pipe_->maintain();
    }
    if (dropped_unreported_ > 0) {
        report_failures(now_ms);
    }
}

void LogWriter::report_failures(std::int64_t now_ms) {
    if (now_ms - last_report_ms_ < kReportEveryMs) {
        return;
    }
    last_report_ms_ = now_ms;
    log_startup(LogLevel::Error, "log_config", "SN00646",
                errno_text(last_errno_) + ": Error writing to " +
                    target_ + ": " + std::to_string(dropped_unreported_) + " log line(s) lost");
    dropped_unreported_ = 0;
}

LogWriter* LogWriters::open(std::string_view target, std::string_view path, bool buffered, std::string& error) {
    const std::string_view key = !target.empty() && target.front() == '|' ? target : path;
    for (const auto& w : writers_) {
        if (w->target() == key) {
            return w.get();
        }
    }
    for (auto it = previous_.begin(); it != previous_.end(); ++it) {
        if (!key.empty() && key.front() == '|' && (*it)->target() == key) {
            reused_.push_back(it->get());
            writers_.push_back(std::move(*it));
            previous_.erase(it);
            return writers_.back().get();
        }
    }
    auto w = LogWriter::open(target, path, buffered, error);
    if (!w) {
        return nullptr;
    }
    writers_.push_back(std::move(w));
    return writers_.back().get();
}

void LogWriters::begin_restart() {
    for (auto& w : writers_) {
        previous_.push_back(std::move(w));
    }
    writers_.clear();
}

void LogWriters::end_restart() {
    previous_.clear();
    reused_.clear();
}

void LogWriters::abort_restart() {
    for (auto& w : writers_) {
        if (std::find(reused_.begin(), reused_.end(), w.get()) != reused_.end()) {
            previous_.push_back(std::move(w));
        }
    }
    writers_ = std::move(previous_);
    previous_.clear();
    reused_.clear();
}

void LogWriters::disown_programs() {
    for (const auto& w : writers_) {
        w->disown_program();
    }
}

void LogWriters::tick(std::int64_t now_ms) {
    for (const auto& w : writers_) {
        w->tick(now_ms);
    }
}

void LogWriters::flush_all() {
    for (const auto& w : writers_) {
        w->flush();
    }
}

void LogWriters::close_all() {
    writers_.clear();
    previous_.clear();
}

LogWriters& access_log_writers() {
    static LogWriters writers;
    return writers;
}

}  // namespace sonora::logs
