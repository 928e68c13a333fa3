#include "mpm/child.h"

#include "core/clock.h"
#include "core/log.h"
#include "logs/log_writer.h"
#include "mpm/accept_loop.h"
#include "mpm/threaded_child.h"
#include "net/worker.h"
#include "os/reaper.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace sonora::mpm {

namespace {

net::WorkerRole role_for(const config::Generation& gen, const Settings& settings,
                         scoreboard::Scoreboard* board, std::uint32_t slot, bool child) {
    net::WorkerRole role;
    role.board = scoreboard::Recorder(board, slot);
    role.max_open = settings.kind == Kind::Prefork ? 1u
                    : child                          ? static_cast<unsigned>(settings.event_connection_cap())
                                                     : 0u;
    role.max_accepts = static_cast<unsigned>(settings.max_connections_per_child);
    role.child = child;
    role.extended_status = gen.extended_status;
    return role;
}


// prefork: wait (under the accept mutex, if any) for one connection, serve
// it to its end, again. Signals are read while waiting by the accept loop,
// while serving by the worker's loop; either way USR1 and WINCH end the
// child once its connection is done, TERM at once.
int serve_prefork(const config::Generation& gen, const std::vector<os::ListenSocket>& sockets, os::AcceptMutex* mutex,
                  int sfd, net::WorkerRole role) {
    const unsigned max_accepts = role.max_accepts;
    role.max_accepts = 0;
    net::Worker worker(gen, {}, role);
    worker.watch_stop_fd(sfd);
    AcceptLoop accept(sockets, sfd, mutex);
    scoreboard::ProcessSlot* process = role.board.process();
    unsigned accepted = 0;
    for (;;) {
        // Woken at least once a second: buffered log lines leave on time.
        Accepted a = accept.next(1000);
        if (a.timed_out) {
            logs::access_log_writers().tick(wall_us() / 1000);  // the clock of the lines' times
            continue;
        }
        if (a.error != 0) {
            log_startup(LogLevel::Emerg, "mpm_prefork", "SN00144",
                        std::string("couldn't grab the accept mutex: ") + std::strerror(a.error));
            return kChildFatal;
        }
        if (a.signalled) {
            signalfd_siginfo info{};
            bool leave = false;
            while (::read(sfd, &info, sizeof info) == sizeof info) {
                leave = leave || info.ssi_signo != SIGCHLD;
            }
            if (leave) {
                return 0;  // idle: a graceful restart or stop ends it at once
            }
            continue;
        }
        if (process != nullptr) {
            process->accepted.fetch_add(1, std::memory_order_relaxed);
        }
        const os::ListenSocket& l = *a.listener;
        worker.open_connection(a.fd, a.peer, l.port, l.specific_address() ? &l.addr : nullptr);
        worker.run_until_idle();
        if (worker.stopping() || worker.draining()) {
            return 0;
        }
        if (max_accepts != 0 && ++accepted >= max_accepts) {
            if (process != nullptr) {
                process->quiescing.store(true, std::memory_order_relaxed);
            }
            return 0;  // MaxConnectionsPerChild: the parent starts a fresh child
        }
    }
}

}  // namespace

std::optional<std::string> init_child(const config::Generation& gen) {
    for (const auto& loaded : gen.modules.loaded()) {
        if (loaded.module->child_init != nullptr) {
            if (auto err = loaded.module->child_init(gen)) {
                return err;
            }
        }
    }
    return std::nullopt;
}

void run_child(const config::Generation& gen, const Settings& settings, const std::vector<os::ListenSocket>& sockets,
               os::AcceptMutex* mutex, scoreboard::Scoreboard* board, std::uint32_t slot) {
    const pid_t parent = ::getppid();
    // A parent killed outright (SIGKILL) cannot tell its children: the kernel does.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) {
        ::_exit(0);
    }
    board->process(slot).pid.store(::getpid(), std::memory_order_release);
    logs::access_log_writers().disown_programs();
    if (auto err = init_child(gen)) {
        log_startup(LogLevel::Alert, "unixd", "SN02155", *err);
        ::_exit(kChildFatal);
    }
    if (mutex != nullptr) {
        if (auto err = mutex->child_init()) {
            log_startup(LogLevel::Emerg, settings.module(), "SN00155", *err);
            ::_exit(kChildFatal);
        }
    }
    // The signal mask is the parent's (control signals blocked): this
    // process reads its own through a descriptor of its own.
    sigset_t signals;
    sigemptyset(&signals);
    for (int sig : {SIGTERM, SIGINT, SIGUSR1, SIGWINCH, SIGCHLD}) {
        sigaddset(&signals, sig);
    }
    int sfd = ::signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC);
    net::WorkerRole role = role_for(gen, settings, board, slot, true);
    int status = 0;
    switch (settings.kind) {
        case Kind::Event: {
            net::Worker worker(gen, sockets, role);
            worker.watch_stop_fd(sfd);
            worker.run();
            break;
        }
        case Kind::Prefork: status = serve_prefork(gen, sockets, mutex, sfd, role); break;
        case Kind::Worker: status = serve_threaded(gen, settings, sockets, sfd, role, mutex) < 0 ? kChildFatal : 0; break;
    }
    os::reap_remaining();  // scripts still running when the workers let them go
    logs::access_log_writers().flush_all();
    // No destructors: the configuration and the log writers are the parent's copies.
    ::_exit(status);
}

int run_single(const config::Generation& gen, const Settings& settings, std::vector<os::ListenSocket> sockets,
               scoreboard::Scoreboard* board, int signal_fd) {
    if (board != nullptr) {
        board->claim(0, ::getpid(), 0);
    }
    int stop_signal = 0;
    {
        net::Worker worker(gen, std::move(sockets), role_for(gen, settings, board, 0, false));
        worker.watch_stop_fd(signal_fd);
        worker.run();
        stop_signal = worker.stop_signal();
    }
    os::reap_remaining();
    return stop_signal;
}

}  // namespace sonora::mpm
