// RewriteMap prg: maps. The program is started by the process that opens the
// logs, before it forks the children that serve; they inherit its pipes and
// the lock, a robust process-shared pthread mutex in a shared anonymous
// mapping (why that and not a lock file: rewrite_map.h).
//
// What httpd 2.4.71 does, and so this: the program is argv[0] of the
// command line (ServerRoot-relative), run without a shell, with an empty
// environment, in the directory it is in, its stdin and stdout pipes, its
// stderr the server's (the error log). An argument "user[:group]" makes it run
// as that user (and group, else the user's primary group) when the server
// starts as root; a user or group that does not exist, or a program the
// server may not read and execute, stops the start ("could not start
// RewriteMap program"). A program that cannot be executed after all (a
// directory) is logged by the forked process ("exec of 'X' failed") and then
// answers every key with "" as a dead program does.

#include "modules/mappers/rewrite/rewrite_map.h"

#include "core/strings.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

namespace sonora::modules::mappers::rewrite::detail {

namespace {

struct SharedLock {
    pthread_mutex_t mutex;
    // Under the mutex: a key was sent whose answer nobody has read yet (its
    // lookup gave up waiting). The next holder reads that answer first, so
    // that it is never taken for another key's.
    bool answer_owed;
};

std::int64_t monotonic_ms() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

void close_fd(int& fd) {
    if (fd >= 0) {
        ::close(fd);
        fd = -1;
    }
}

}  // namespace

struct PrgRuntime {
    bool started = false;
    pid_t pid = -1;
    pid_t owner = -1;  // the process that started it (and alone ends it)
    int to_program = -1;
    int from_program = -1;
    SharedLock* lock = nullptr;

    PrgRuntime() = default;
    PrgRuntime(const PrgRuntime&) = delete;
    PrgRuntime& operator=(const PrgRuntime&) = delete;

    ~PrgRuntime() {
        close_fd(to_program);
        close_fd(from_program);
        if (lock != nullptr) {
            ::munmap(lock, sizeof(SharedLock));
        }
        if (pid <= 0 || owner != ::getpid()) {
            return;
        }
        // Its stdin is closed: give it a moment to finish, then httpd's
        // kill-after-timeout (SIGTERM, then SIGKILL).
        for (int i = 0; i < 20; ++i) {
            if (::waitpid(pid, nullptr, WNOHANG) == pid) {
                return;
            }
            ::usleep(5'000);
        }
        ::kill(pid, SIGTERM);
        for (int i = 0; i < 300; ++i) {
            if (::waitpid(pid, nullptr, WNOHANG) == pid) {
                return;
            }
            ::usleep(10'000);
        }
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
    }
};

std::shared_ptr<PrgRuntime> make_prg_runtime() { return std::make_shared<PrgRuntime>(); }

std::vector<std::string> tokenize_command(std::string_view line) {
    // apr_tokenize_to_argv: words split at blanks and tabs; a word starting
    // with '"' or '\'' runs to the same quote (blanks inside kept); a
    // backslash before a blank, tab or quote keeps it in the word; then every
    // unescaped backslash is dropped.
    std::vector<std::string> out;
    std::size_t i = 0;
    const std::size_t n = line.size();
    auto blank = [](char c) { return c == ' ' || c == '\t'; };
    while (true) {
        while (i < n && blank(line[i])) {
            ++i;
        }
        if (i >= n) {
            break;
        }
        int quoted = 0;
        if (line[i] == '"') {
            quoted = 1;
            ++i;
        } else if (line[i] == '\'') {
            quoted = 2;
            ++i;
        }
        const std::size_t start = i;
        for (; i < n; ++i) {
            const char c = line[i];
            if ((quoted != 0 && blank(c)) ||
                (c == '\\' && i + 1 < n && (blank(line[i + 1]) || line[i + 1] == '"' || line[i + 1] == '\''))) {
                if (c == '\\') {
                    ++i;  // the escaped character is part of the word
                }
                continue;
            }
            if ((quoted == 0 && blank(c)) || (quoted == 1 && c == '"') || (quoted == 2 && c == '\'')) {
                break;
            }
        }
        const std::string_view dirty = line.substr(start, std::min(i, n) - start);
        std::string word;
        bool escaped = false;
        for (const char c : dirty) {
            if (!escaped && c == '\\') {
                escaped = true;
            } else {
                escaped = false;
                word.push_back(c);
            }
        }
        out.push_back(std::move(word));
        if (i < n) {
            ++i;  // past the blank or closing quote
        }
    }
    return out;
}

namespace {

std::string start_error(int error, const RewriteMap& map) {
    return errno_text(error) + ": SN00654: mod_rewrite: could not start RewriteMap program " + map.checkfile;
}

// The directory part of a path, its last '/' included (ap_make_dirstr_parent).
std::string parent_dir(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
}

}  // namespace

std::optional<std::string> start_program(RewriteMap& map) {
    if (!map.prg) {
        map.prg = make_prg_runtime();
    }
    PrgRuntime& rt = *map.prg;
    if (rt.started) {
        return std::nullopt;
    }
    if (map.argv.empty() || map.argv.front().empty()) {
        return std::nullopt;  // httpd skips a map without a program
    }
    const std::string& program = map.argv.front();
    const std::string dir = parent_dir(program);

    // The user and group first, as APR's process attributes are set.
    uid_t uid = static_cast<uid_t>(-1);
    gid_t gid = static_cast<gid_t>(-1);
    if (map.user) {
        passwd pw{};
        passwd* found = nullptr;
        std::vector<char> buf(16384);
        if (::getpwnam_r(map.user->c_str(), &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr) {
            return start_error(ENOENT, map);
        }
        uid = pw.pw_uid;
        gid = pw.pw_gid;
    }
    if (map.group) {
        group gr{};
        group* found = nullptr;
        std::vector<char> buf(16384);
        if (::getgrnam_r(map.group->c_str(), &gr, buf.data(), buf.size(), &found) != 0 || found == nullptr) {
            return start_error(ENOENT, map);
        }
        gid = gr.gr_gid;
    }
    if (!dir.empty() && ::access(dir.c_str(), X_OK) != 0) {
        return start_error(errno, map);
    }
    if (::access(program.c_str(), R_OK | X_OK) != 0) {
        return start_error(errno, map);
    }

    void* page = ::mmap(nullptr, sizeof(SharedLock), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) {
        return start_error(errno, map);
    }
    auto* lock = static_cast<SharedLock*>(page);
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    const int merr = pthread_mutex_init(&lock->mutex, &attr);
    pthread_mutexattr_destroy(&attr);
    if (merr != 0) {
        ::munmap(page, sizeof(SharedLock));
        return start_error(merr, map);
    }

    int in_pipe[2];   // its stdin
    int out_pipe[2];  // its stdout
    if (::pipe2(in_pipe, O_CLOEXEC) != 0) {
        const int e = errno;
        ::munmap(page, sizeof(SharedLock));
        return start_error(e, map);
    }
    if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
        const int e = errno;
        ::close(in_pipe[0]);
        ::close(in_pipe[1]);
        ::munmap(page, sizeof(SharedLock));
        return start_error(e, map);
    }

    // Everything the forked process needs, prepared before the fork.
    std::vector<char*> argv;
    for (std::string& a : map.argv) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    char* empty_env[] = {nullptr};
    const std::string log_prefix = format_log_line(LogLevel::Error, "rewrite", "SN00653", "");
    const bool as_root = ::geteuid() == 0;

    const pid_t pid = ::fork();
    if (pid < 0) {
        const int e = errno;
        for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1]}) {
            ::close(fd);
        }
        ::munmap(page, sizeof(SharedLock));
        return start_error(e, map);
    }
    if (pid == 0) {
        // The program: pipes on 0 and 1, default signals, nothing else open.
        // (A server started with 0 or 1 closed may have been given them for
        // the pipes: move them out of the way first, and clear close-on-exec
        // on one that is already in place.)
        int r = in_pipe[0];
        int w = out_pipe[1];
        if (w == STDIN_FILENO) {
            w = ::fcntl(w, F_DUPFD_CLOEXEC, 3);
        }
        if (r == STDOUT_FILENO) {
            r = ::fcntl(r, F_DUPFD_CLOEXEC, 3);
        }
        for (const auto& [fd, target] : {std::pair{r, STDIN_FILENO}, std::pair{w, STDOUT_FILENO}}) {
            if (fd == target) {
                ::fcntl(fd, F_SETFD, 0);
            } else {
                ::dup2(fd, target);
            }
        }
        struct sigaction dfl {};
        dfl.sa_handler = SIG_DFL;
        for (int sig = 1; sig < NSIG; ++sig) {
            ::sigaction(sig, &dfl, nullptr);
        }
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::close_range(3, ~0U, 0);
        auto fail = [&](int error, const char* what) {
            char line[2048];
            const int len = std::snprintf(line, sizeof line, "%s(%d)%s: %s\n", log_prefix.c_str(), error,
                                          std::strerror(error), what);
            if (len > 0) {
                const std::size_t size = std::min<std::size_t>(static_cast<std::size_t>(len), sizeof line - 1);
                const ssize_t written = ::write(STDERR_FILENO, line, size);
                (void)written;
            }
            ::_exit(255);
        };
        if (!dir.empty() && ::chdir(dir.c_str()) != 0) {
            fail(errno, "change of working directory failed");
        }
        if (as_root && gid != static_cast<gid_t>(-1)) {
            if (::setgroups(1, &gid) != 0 || ::setgid(gid) != 0) {
                fail(errno, "setting of group failed");
            }
        }
        if (as_root && uid != static_cast<uid_t>(-1)) {
            if (::setuid(uid) != 0) {
                fail(errno, "setting of user failed");
            }
        }
        ::execve(argv[0], argv.data(), empty_env);
        char what[1200];
        std::snprintf(what, sizeof what, "exec of '%s' failed", argv[0]);
        fail(errno, what);
    }
    ::close(in_pipe[0]);
    ::close(out_pipe[1]);
    // The server's ends wait with poll() and a deadline.
    ::fcntl(in_pipe[1], F_SETFL, ::fcntl(in_pipe[1], F_GETFL) | O_NONBLOCK);
    ::fcntl(out_pipe[0], F_SETFL, ::fcntl(out_pipe[0], F_GETFL) | O_NONBLOCK);
    rt.pid = pid;
    rt.owner = ::getpid();
    rt.to_program = in_pipe[1];
    rt.from_program = out_pipe[0];
    rt.lock = lock;
    rt.started = true;
    return std::nullopt;
}

namespace {

// Writes all of `data` to a pipe before `deadline_ms`, SIGPIPE held back: a
// program that has exited makes the write fail with EPIPE, not kill us.
// Returns 0, or the errno (ETIMEDOUT when out of time).
int write_all(int fd, std::string_view data, std::int64_t deadline_ms) {
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigset_t old;
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    const bool was_pending = sigismember(&pending, SIGPIPE) == 1;
    int result = 0;
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n > 0) {
            data.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            const std::int64_t left = deadline_ms - monotonic_ms();
            if (left <= 0) {
                result = ETIMEDOUT;
                break;
            }
            pollfd p{fd, POLLOUT, 0};
            ::poll(&p, 1, static_cast<int>(left));
            continue;
        }
        result = n < 0 ? errno : EIO;
        break;
    }
    if (result == EPIPE && !was_pending) {
        const timespec zero{0, 0};
        while (sigtimedwait(&pipe_set, nullptr, &zero) < 0 && errno == EINTR) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    return result;
}

// Discards what the program wrote that nobody read (an answer that came
// after its lookup gave up, or lines after the first).
void drain(int fd) {
    char buf[4096];
    while (true) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) {
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        break;
    }
}

enum class ReadResult { Line, Eof, Timeout };

// Reads up to the first newline (not kept); what follows it in the same read
// is dropped. At end of file, what came before it is the line.
ReadResult read_line(int fd, std::string& line, std::int64_t deadline_ms) {
    char buf[4096];
    while (true) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) {
            const std::string_view chunk(buf, static_cast<std::size_t>(n));
            if (const std::size_t nl = chunk.find('\n'); nl != std::string_view::npos) {
                line.append(chunk.substr(0, nl));
                return ReadResult::Line;
            }
            line.append(chunk);
            continue;
        }
        if (n == 0) {
            return ReadResult::Eof;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno != EAGAIN) {
            return ReadResult::Eof;
        }
        const std::int64_t left = deadline_ms - monotonic_ms();
        if (left <= 0) {
            return ReadResult::Timeout;
        }
        pollfd p{fd, POLLIN, 0};
        ::poll(&p, 1, static_cast<int>(left));
    }
}

// pthread_mutex_timedlock's deadline is on CLOCK_REALTIME (clocklock with
// CLOCK_MONOTONIC would be immune to clock steps, but ThreadSanitizer does not
// know it and then reports every unlock).
timespec deadline_timespec(std::chrono::milliseconds timeout) {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    const std::int64_t ns = static_cast<std::int64_t>(ts.tv_nsec) + (timeout.count() % 1000) * 1'000'000;
    ts.tv_sec += static_cast<time_t>(timeout.count() / 1000 + ns / 1'000'000'000);
    ts.tv_nsec = static_cast<long>(ns % 1'000'000'000);
    return ts;
}

}  // namespace

std::optional<std::string> lookup_prg(const RewriteMap& map, std::string_view key, const MapLog& log) {
    // httpd: no program (RewriteEngine off where it would have been started),
    // or a newline in the key, which would put the program out of step.
    if (!map.prg || !map.prg->started || key.find('\n') != std::string_view::npos) {
        return std::nullopt;
    }
    PrgRuntime& rt = *map.prg;
    // The key as httpd has it: a C string.
    key = key.substr(0, key.find('\0'));

    const timespec lock_deadline = deadline_timespec(map.prg_timeout);
    int rc = pthread_mutex_timedlock(&rt.lock->mutex, &lock_deadline);
    if (rc == EOWNERDEAD) {
        // Its holder died in the middle of an exchange: an answer it was
        // waiting for is owed (answer_owed was set once its key was sent).
        pthread_mutex_consistent(&rt.lock->mutex);
        rc = 0;
    }
    if (rc == ETIMEDOUT) {
        if (log) {
            log(LogLevel::Error, "SN90650",
                "mod_rewrite: RewriteMap program " + map.checkfile + " busy for longer than " +
                    std::to_string(map.prg_timeout.count()) + " ms, lookup abandoned");
        }
        return std::nullopt;
    }
    if (rc != 0) {
        if (log) {
            log(LogLevel::Error, "SN90652",
                errno_text(rc) + ": mod_rewrite: cannot lock RewriteMap program " + map.checkfile);
        }
        return std::nullopt;
    }

    const std::int64_t deadline = monotonic_ms() + map.prg_timeout.count();
    std::string line;
    ReadResult result = ReadResult::Line;
    if (rt.lock->answer_owed) {
        result = read_line(rt.from_program, line, deadline);
        if (result != ReadResult::Timeout) {
            rt.lock->answer_owed = false;
        }
        line.clear();
    }
    if (result != ReadResult::Timeout) {
        // Lines the program wrote beyond its answers.
        drain(rt.from_program);
        std::string request(key);
        request.push_back('\n');
        const int werr = write_all(rt.to_program, request, deadline);
        if (werr == 0) {
            rt.lock->answer_owed = true;
            result = read_line(rt.from_program, line, deadline);
            if (result != ReadResult::Timeout) {
                rt.lock->answer_owed = false;
            }
        } else if (werr == ETIMEDOUT) {
            result = ReadResult::Timeout;
        } else {
            // A program that exited (EPIPE): httpd's write fails unnoticed and
            // its read sees the end at once, an empty answer.
            result = ReadResult::Eof;
        }
    }
    pthread_mutex_unlock(&rt.lock->mutex);

    if (result == ReadResult::Timeout) {
        if (log) {
            log(LogLevel::Error, "SN90651",
                "mod_rewrite: RewriteMap program " + map.checkfile + " did not answer within " +
                    std::to_string(map.prg_timeout.count()) + " ms, lookup abandoned");
        }
        return std::nullopt;
    }
    if (const std::size_t nul = line.find('\0'); nul != std::string::npos) {
        line.resize(nul);
    }
    if (line.size() == 4 && equals_nocase(line, "NULL")) {
        return std::nullopt;
    }
    return line;
}

}  // namespace sonora::modules::mappers::rewrite::detail
