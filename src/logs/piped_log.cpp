#include "logs/piped_log.h"

#include "core/strings.h"
#include "core/clock.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace sonora::logs {

namespace {


// Splits a command line as apr_tokenize_to_argv does: white space separates,
// double or single quotes group, a backslash takes the next character.
std::vector<std::string> split_command(std::string_view s) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) {
            ++i;
        }
        if (i >= s.size()) {
            break;
        }
        std::string word;
        char quote = 0;
        for (; i < s.size(); ++i) {
            char c = s[i];
            if (quote == 0 && (c == ' ' || c == '\t')) {
                break;
            }
            if (c == '\\' && i + 1 < s.size()) {
                word += s[++i];
            } else if (quote == 0 && (c == '"' || c == '\'')) {
                quote = c;
            } else if (c == quote) {
                quote = 0;
            } else {
                word += c;
            }
        }
        out.push_back(std::move(word));
    }
    return out;
}

}  // namespace

std::unique_ptr<PipedLog> PipedLog::open(std::string_view target, std::string& error) {
    std::unique_ptr<PipedLog> log(new PipedLog());
    std::string_view cmd = target;
    if (!cmd.empty() && cmd.front() == '|') {
        cmd.remove_prefix(1);
    }
    bool shell = false;
    if (!cmd.empty() && cmd.front() == '|') {
        cmd.remove_prefix(1);
    } else if (!cmd.empty() && cmd.front() == '$') {
        cmd.remove_prefix(1);
        shell = true;
    }
    log->command_ = std::string(cmd);
    log->argv_ = shell ? std::vector<std::string>{"/bin/sh", "-c", log->command_} : split_command(cmd);
    if (log->argv_.empty()) {
        error = "Couldn't start piped log process '" + log->command_ + "'.";
        return nullptr;
    }
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        error = errno_text(errno) + ": Couldn't create pipe for piped log '" +
                log->command_ + "'.";
        return nullptr;
    }
    log->read_fd_ = fds[0];
    log->write_fd_ = fds[1];
    ::fcntl(log->write_fd_, F_SETFL, ::fcntl(log->write_fd_, F_GETFL) | O_NONBLOCK);
    if (!log->spawn()) {
        error = errno_text(errno) + ": Couldn't start piped log process '" +
                log->command_ + "'.";
        return nullptr;
    }
    return log;
}

bool PipedLog::spawn() {
    std::vector<char*> argv;
    for (std::string& a : argv_) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, read_fd_, STDIN_FILENO);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // The server blocks its control signals and ignores SIGPIPE; the logger
    // starts with the defaults.
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    sigset_t defaults;
    sigemptyset(&defaults);
    for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGWINCH, SIGCHLD}) {
        sigaddset(&defaults, sig);
    }
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid = -1;
    int rc = ::posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    last_spawn_ms_ = monotonic_ms();
    if (rc != 0) {
        errno = rc;
        pid_ = -1;
        return false;
    }
    pid_ = pid;
    return true;
}

PipedLog::~PipedLog() {
    drain_backlog();
    if (write_fd_ >= 0) {
        ::close(write_fd_);
    }
    if (read_fd_ >= 0) {
        ::close(read_fd_);
    }
    if (pid_ <= 0) {
        return;
    }
    // The program sees the end of its input; give it a moment to finish.
    for (int i = 0; i < 100; ++i) {
        if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
            return;
        }
        ::usleep(10'000);
    }
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 50; ++i) {
        if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
            return;
        }
        ::usleep(10'000);
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
}

void PipedLog::write(std::string_view bytes) {
    if (bytes.empty()) {
        return;
    }
    if (backlog_.empty()) {
        ssize_t n;
        do {
            n = ::write(write_fd_, bytes.data(), bytes.size());
        } while (n < 0 && errno == EINTR);
        if (n == static_cast<ssize_t>(bytes.size())) {
            return;
        }
        std::size_t done = n > 0 ? static_cast<std::size_t>(n) : 0;
        backlog_.emplace_back(bytes);
        front_written_ = done;
        backlog_bytes_ += bytes.size();
        return;
    }
    if (backlog_bytes_ + bytes.size() > kMaxBacklog) {
        ++dropped_;
        return;
    }
    backlog_.emplace_back(bytes);
    backlog_bytes_ += bytes.size();
    drain_backlog();
}

void PipedLog::drain_backlog() {
    while (!backlog_.empty()) {
        const std::string& front = backlog_.front();
        ssize_t n = ::write(write_fd_, front.data() + front_written_, front.size() - front_written_);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return;  // EAGAIN: the program is behind (or being restarted)
        }
        front_written_ += static_cast<std::size_t>(n);
        if (front_written_ < front.size()) {
            return;
        }
        backlog_bytes_ -= front.size();
        backlog_.pop_front();
        front_written_ = 0;
    }
}

void PipedLog::disown() {
    owner_ = false;
    pid_ = -1;
    if (read_fd_ >= 0) {
        ::close(read_fd_);
        read_fd_ = -1;
    }
}

void PipedLog::maintain() {
    if (!owner_) {
        drain_backlog();
        return;
    }
    if (pid_ > 0) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
        }
    }
    // A program that exits at once is not started more than once a second.
    if (pid_ <= 0 && monotonic_ms() - last_spawn_ms_ >= 1000) {
        if (spawn()) {
            ++restarts_;
        }
    }
    drain_backlog();
}

}  // namespace sonora::logs
