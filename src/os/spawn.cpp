#include "os/spawn.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

namespace sonora::os {

namespace {

// A pipe whose server end is non-blocking; both ends close-on-exec (the
// program's end is dup2'd onto its standard stream, which clears that flag).
bool make_pipe(int fds[2], bool server_reads) {
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        return false;
    }
    const int server_end = server_reads ? fds[0] : fds[1];
    ::fcntl(server_end, F_SETFL, ::fcntl(server_end, F_GETFL) | O_NONBLOCK);
    return true;
}

}  // namespace

void close_descriptor(int& fd) {
    if (fd >= 0) {
        ::close(fd);
        fd = -1;
    }
}

void close_pipes(Spawned& s) {
    close_descriptor(s.in);
    close_descriptor(s.out);
    close_descriptor(s.err);
}

Spawned spawn(const SpawnRequest& req) {
    Spawned out;
    int in_pipe[2] = {-1, -1};
    int out_pipe[2] = {-1, -1};
    int err_pipe[2] = {-1, -1};
    auto fail = [&](int error) {
        for (int* p : {in_pipe, out_pipe, err_pipe}) {
            close_descriptor(p[0]);
            close_descriptor(p[1]);
        }
        out = Spawned{};
        out.error = error;
        return out;
    };
    if ((req.want_stdin && !make_pipe(in_pipe, false)) || !make_pipe(out_pipe, true) || !make_pipe(err_pipe, true)) {
        return fail(errno);
    }
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
    if (req.want_stdin) {
        posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
    } else {
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    }
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    if (!req.cwd.empty()) {
        posix_spawn_file_actions_addchdir_np(&actions, req.cwd.c_str());
    }
    // The server blocks the signals it reads through a signalfd and ignores
    // SIGPIPE; the program starts with neither.
    sigset_t none;
    sigemptyset(&none);
    sigset_t defaults;
    sigfillset(&defaults);
    sigdelset(&defaults, SIGKILL);
    sigdelset(&defaults, SIGSTOP);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    std::vector<char*> argv;
    argv.reserve(req.argv.size() + 1);
    for (const std::string& a : req.argv) {
        argv.push_back(const_cast<char*>(a.c_str()));
    }
    argv.push_back(nullptr);
    std::vector<char*> envp;
    envp.reserve(req.env.size() + 1);
    for (const std::string& e : req.env) {
        envp.push_back(const_cast<char*>(e.c_str()));
    }
    envp.push_back(nullptr);

    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, req.path.c_str(), &actions, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        return fail(rc);
    }
    for (const SpawnRequest::Limit& l : req.limits) {
        if (l.resource >= 0) {
            rlimit lim{static_cast<rlim_t>(l.soft), static_cast<rlim_t>(l.hard)};
            ::prlimit(pid, static_cast<__rlimit_resource>(l.resource), &lim, nullptr);
        }
    }
    close_descriptor(in_pipe[0]);
    close_descriptor(out_pipe[1]);
    close_descriptor(err_pipe[1]);
    out.pid = pid;
    out.in = in_pipe[1];
    out.out = out_pipe[0];
    out.err = err_pipe[0];
    return out;
}

}  // namespace sonora::os
