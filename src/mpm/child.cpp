#include "mpm/child.h"

#include "core/log.h"
#include "logs/log_writer.h"
#include "modules/core/core_config.h"
#include "modules/core/mod_unixd.h"
#include "modules/generators/mod_status.h"
#include "mpm/accept_loop.h"
#include "mpm/threaded_child.h"
#include "net/worker.h"

#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace sonora::mpm {

namespace {

// ChrootDir, as httpd's unixd: after the ids are looked up and before setuid,
// so /etc/passwd and /etc/group need not exist inside the jail; DocumentRoot
// and every path opened from here on are then read inside it.
std::optional<std::string> enter_chroot(const std::string& dir) {
    if (::chdir(dir.c_str()) != 0) {
        return "Can't chdir to " + dir;
    }
    if (::chroot(dir.c_str()) != 0) {
        return "Can't chroot to " + dir;
    }
    if (::chdir("/") != 0) {
        return "Can't chdir to new root";
    }
    return std::nullopt;
}

std::optional<unsigned> id_of(const std::string& name, bool user) {
    if (!name.empty() && name.front() == '#') {
        return static_cast<unsigned>(std::strtoul(name.c_str() + 1, nullptr, 10));
    }
    if (user) {
        const passwd* pw = ::getpwnam(name.c_str());
        return pw != nullptr ? std::optional<unsigned>(pw->pw_uid) : std::nullopt;
    }
    const group* gr = ::getgrnam(name.c_str());
    return gr != nullptr ? std::optional<unsigned>(gr->gr_gid) : std::nullopt;
}

// ExtendedStatus is on by default once mod_status is loaded (httpd 2.3.6+).
bool extended_status(const config::Generation& gen) {
    const auto& core = gen.main_conf<modules::core::CoreServerConfig>(modules::core::core_module);
    return core.extended_status.value_or(gen.modules.enabled(modules::generators::status_module));
}

net::WorkerRole role_for(const config::Generation& gen, const Settings& settings,
                         scoreboard::Scoreboard* board, std::uint32_t slot, bool child) {
    net::WorkerRole role;
    role.board = scoreboard::Recorder(board, slot);
    role.max_open = settings.kind == Kind::Prefork ? 1 : 0;
    role.max_accepts = static_cast<unsigned>(settings.max_connections_per_child);
    role.child = child;
    role.extended_status = extended_status(gen);
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
        Accepted a = accept.next();
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

std::optional<std::pair<uid_t, gid_t>> child_ids(const config::Generation& gen) {
    const auto* ux = gen.main.module_config.get<modules::core::UnixdConfig>(modules::core::unixd_module.index);
    if (ux == nullptr || !ux->user || !ux->group) {
        return std::nullopt;
    }
    auto uid = id_of(*ux->user, true);
    auto gid = id_of(*ux->group, false);
    if (!uid || !gid) {
        return std::nullopt;
    }
    return std::make_pair(static_cast<uid_t>(*uid), static_cast<gid_t>(*gid));
}

std::optional<std::string> drop_privileges(const config::Generation& gen) {
    const auto* ux = gen.main.module_config.get<modules::core::UnixdConfig>(modules::core::unixd_module.index);
    const bool jailed = ux != nullptr && ux->chroot_dir.has_value();
    if (::geteuid() != 0) {
        if (jailed) {
            return std::string("Cannot chroot when not started as root");
        }
        return std::nullopt;
    }
    if (ux == nullptr || !ux->user) {
        return jailed ? enter_chroot(*ux->chroot_dir) : std::nullopt;
    }
    auto uid = id_of(*ux->user, true);
    if (!uid) {
        return "bad user name " + *ux->user;
    }
    if (ux->group) {
        auto gid = id_of(*ux->group, false);
        if (!gid) {
            return "bad group name " + *ux->group;
        }
        if (::setgid(*gid) != 0) {
            return "setgid: unable to set group id to Group " + std::to_string(*gid);
        }
    }
    if (ux->user->front() != '#') {
        const passwd* pw = ::getpwnam(ux->user->c_str());
        ::initgroups(ux->user->c_str(), pw != nullptr ? pw->pw_gid : ::getgid());
    }
    if (jailed) {
        if (auto err = enter_chroot(*ux->chroot_dir)) {
            return err;
        }
    }
    if (::setuid(*uid) != 0) {
        return "setuid: unable to change to uid: " + std::to_string(*uid);
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
    if (auto err = drop_privileges(gen)) {
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
    logs::access_log_writers().flush_all();
    // No destructors: the configuration and the log writers are the parent's copies.
    ::_exit(status);
}

int run_single(const config::Generation& gen, const Settings& settings, std::vector<os::ListenSocket> sockets,
               scoreboard::Scoreboard* board, int signal_fd) {
    if (board != nullptr) {
        board->claim(0, ::getpid(), 0);
    }
    net::Worker worker(gen, std::move(sockets), role_for(gen, settings, board, 0, false));
    worker.watch_stop_fd(signal_fd);
    worker.run();
    return worker.stop_signal();
}

}  // namespace sonora::mpm
