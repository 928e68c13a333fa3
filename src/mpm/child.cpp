#include "mpm/child.h"

#include "core/log.h"
#include "logs/log_writer.h"
#include "modules/core/core_config.h"
#include "modules/core/mod_unixd.h"
#include "modules/generators/mod_status.h"
#include "net/worker.h"

#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstdlib>

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

}  // namespace

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
               scoreboard::Scoreboard* board, std::uint32_t slot) {
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
    // The signal mask is the parent's (control signals blocked): this
    // process reads its own through a descriptor of its own.
    sigset_t signals;
    sigemptyset(&signals);
    for (int sig : {SIGTERM, SIGINT, SIGUSR1, SIGWINCH, SIGCHLD}) {
        sigaddset(&signals, sig);
    }
    int sfd = ::signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC);
    {
        net::Worker worker(gen, sockets, role_for(gen, settings, board, slot, true));
        worker.watch_stop_fd(sfd);
        worker.run();
    }
    logs::access_log_writers().flush_all();
    // No destructors: the configuration and the log writers are the parent's copies.
    ::_exit(0);
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
