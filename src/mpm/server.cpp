#include "mpm/server.h"

#include "core/log.h"
#include "modules/core/core_config.h"
#include "modules/core/mod_unixd.h"
#include "logs/error_log.h"
#include "logs/log_writer.h"
#include "modules/loggers/mod_log_config.h"
#include "modules/metadata/mod_mime.h"
#include "net/worker.h"
#include "os/listeners.h"

#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>

namespace sonora::mpm {

namespace {

using modules::core::core_module;
using modules::core::CoreServerConfig;


// httpd binds, then drops root; the listening sockets stay usable.
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
    auto id_of = [](const std::string& name, bool user) -> std::optional<unsigned> {
        if (!name.empty() && name.front() == '#') {
            return static_cast<unsigned>(std::strtoul(name.c_str() + 1, nullptr, 10));
        }
        if (user) {
            const passwd* pw = ::getpwnam(name.c_str());
            return pw != nullptr ? std::optional<unsigned>(pw->pw_uid) : std::nullopt;
        }
        const group* gr = ::getgrnam(name.c_str());
        return gr != nullptr ? std::optional<unsigned>(gr->gr_gid) : std::nullopt;
    };
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

std::optional<std::string> open_error_log(const config::Generation& gen, const std::string& program) {
    const auto& core = gen.main_conf<CoreServerConfig>(core_module);
    set_log_level(LogLevelSetting::parse(core.log_level.value_or("warn")));
    return logs::open_error_log(core.error_log.value_or(gen.server_root + "/logs/error_log"), program);
}

void detach() {
    pid_t pid = ::fork();
    if (pid < 0) {
        return;
    }
    if (pid > 0) {
        ::_exit(0);
    }
    ::setsid();
    int devnull = ::open("/dev/null", O_RDWR);
    if (devnull >= 0) {
        ::dup2(devnull, STDIN_FILENO);
        ::dup2(devnull, STDOUT_FILENO);
        ::close(devnull);
    }
}

}  // namespace

int run_server(std::unique_ptr<config::Generation> gen, const RunOptions& options) {
    const auto& core = gen->main_conf<CoreServerConfig>(core_module);
    const auto& mime = gen->main_conf<modules::metadata::MimeServerConfig>(modules::metadata::mime_module);
    if (mime.types_error) {
        std::cerr << *mime.types_error << "\n";
        return 1;
    }
    std::vector<os::ListenSpec> specs;
    for (const auto& l : core.listeners) {
        specs.push_back(os::ListenSpec{l.host, l.port});
    }
    if (specs.empty()) {
        std::cerr << "no listening sockets available, shutting down\n";
        return 1;
    }
    std::vector<os::ListenSocket> sockets;
    if (auto err = os::open_listeners(specs, 511, sockets)) {
        std::cerr << *err << "\nno listening sockets available, shutting down\n";
        return 1;
    }
    // Detach first: piped loggers must be children of the process that serves,
    // so that it can restart them. (As with httpd, a log that cannot be opened
    // after detaching is reported in the error log and by the exit status of
    // the detached process only; -DFOREGROUND shows it on the terminal.)
    if (!options.foreground) {
        detach();
    }
    // httpd's default accept filter on Linux: wake only when request data came.
    for (const auto& s : sockets) {
        int secs = 30;
        ::setsockopt(s.fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &secs, sizeof secs);
    }
    if (auto err = open_error_log(*gen, options.program.empty() ? "sonora" : options.program)) {
        std::cerr << *err << "\nSN00015: Unable to open logs\n";
        os::close_listeners(sockets);
        return 1;
    }
    // Access logs are opened as the user that started the server (root may
    // write where the User may not).
    if (auto err = modules::loggers::open_access_logs(*gen)) {
        std::cerr << *err << "\nSN00015: Unable to open logs\n";
        logs::access_log_writers().close_all();
        os::close_listeners(sockets);
        return 1;
    }
    std::string pid_file = core.pid_file.value_or(gen->server_root + "/logs/sonora.pid");
    {
        std::ofstream pf(pid_file, std::ios::trunc);
        if (!pf) {
            log_startup(LogLevel::Error, "core", "SN00099", "could not create " + pid_file);
            os::close_listeners(sockets);
            return 1;
        }
        pf << ::getpid() << "\n";
    }
    if (auto err = drop_privileges(*gen)) {
        log_startup(LogLevel::Alert, "unixd", "SN02155", *err);
        ::unlink(pid_file.c_str());
        return 1;
    }

    ::signal(SIGPIPE, SIG_IGN);
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGWINCH);
    sigaddset(&stop_signals, SIGHUP);
    sigaddset(&stop_signals, SIGUSR1);
    sigaddset(&stop_signals, SIGCHLD);  // a piped logger exited
    ::sigprocmask(SIG_BLOCK, &stop_signals, nullptr);
    int sfd = ::signalfd(-1, &stop_signals, SFD_NONBLOCK | SFD_CLOEXEC);

    net::Worker worker(*gen, std::move(sockets));
    worker.watch_stop_fd(sfd);
    log_startup(LogLevel::Notice, "mpm_event", "SN00489",
                "Sonora/" SONORA_VERSION " (Unix) configured -- resuming normal operations");
    worker.run();
    const int sig = worker.stop_signal();
    const char* name = sig == SIGWINCH ? "SIGWINCH" : sig == SIGINT ? "SIGINT" : "SIGTERM";
    log_startup(LogLevel::Notice, "mpm_event", "SN00491", std::string("caught ") + name + ", shutting down");
    ::close(sfd);
    // Buffered lines are written and piped loggers see the end of their input.
    logs::access_log_writers().close_all();
    ::unlink(pid_file.c_str());
    return 0;
}

}  // namespace sonora::mpm
