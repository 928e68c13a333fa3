#include "mpm/server.h"

#include "core/log.h"
#include "core/scoreboard.h"
#include "logs/log_writer.h"
#include "modules/core/core_config.h"
#include "mpm/child.h"
#include "mpm/open_logs.h"
#include "mpm/parent.h"
#include "mpm/settings.h"
#include "os/listeners.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>

namespace sonora::mpm {

namespace {

using modules::core::core_module;
using modules::core::CoreServerConfig;

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

// The control signals are read from a descriptor, never delivered: blocked
// here, before any child or piped logger exists, so none is lost.
int block_control_signals() {
    ::signal(SIGPIPE, SIG_IGN);
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGTERM, SIGINT, SIGWINCH, SIGHUP, SIGUSR1, SIGCHLD}) {
        sigaddset(&set, sig);
    }
    ::sigprocmask(SIG_BLOCK, &set, nullptr);
    return ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

}  // namespace

int run_server(std::unique_ptr<config::Generation> gen, const RunOptions& options) {
    const auto& core = gen->main_conf<CoreServerConfig>(core_module);
    std::vector<std::string> warnings;
    const Settings settings = Settings::from(*gen, warnings);
    for (const auto& w : warnings) {
        std::cerr << w << "\n";
    }
    std::vector<os::ListenSpec> specs;
    for (const auto& l : core.listeners) {
        specs.push_back(os::ListenSpec{l.host, l.port});
    }
    if (specs.empty()) {
        std::cerr << "no listening sockets available, shutting down\n";
        return 1;
    }
    ListenBuckets buckets;
    if (auto err = open_buckets(specs, options.one_process ? 1 : settings.listen_buckets, settings.listen_backlog,
                                buckets)) {
        std::cerr << *err << "\nno listening sockets available, shutting down\n";
        return 1;
    }
    auto close_all = [&] {
        for (auto& b : buckets) {
            os::close_listeners(b);
        }
    };
    // Detach first: piped loggers must be children of the process that stays,
    // so that it can restart them. (As with httpd, a log that cannot be opened
    // after detaching is reported in the error log and by the exit status of
    // the detached process only; -DFOREGROUND shows it on the terminal.)
    if (!options.foreground) {
        detach();
    }
    const int sfd = block_control_signals();
    if (auto err = open_logs(*gen, options.program.empty() ? "sonora" : options.program)) {
        std::cerr << *err << "\n";
        logs::access_log_writers().close_all();
        close_all();
        return 1;
    }
    std::string pid_file = core.pid_file.value_or(gen->server_root + "/logs/sonora.pid");
    {
        std::ofstream pf(pid_file, std::ios::trunc);
        if (!pf) {
            log_startup(LogLevel::Error, "core", "SN00099", "could not create " + pid_file);
            close_all();
            return 1;
        }
        pf << ::getpid() << "\n";
    }
    int status = 0;
    if (options.one_process) {
        if (auto err = init_child(*gen)) {
            log_startup(LogLevel::Alert, "unixd", "SN02155", *err);
            ::unlink(pid_file.c_str());
            return 1;
        }
        scoreboard::Scoreboard* board = scoreboard::Scoreboard::create(1, static_cast<std::uint32_t>(settings.thread_limit));
        if (board != nullptr) {
            auto& g = board->global();
            g.threads_per_child = static_cast<std::uint32_t>(settings.threads_per_child);
            g.max_servers = 1;
            scoreboard::copy_field(g.mpm, sizeof g.mpm, settings.name());
            const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                                 std::chrono::system_clock::now().time_since_epoch()).count();
            g.start_us.store(now, std::memory_order_relaxed);
            g.restart_us.store(now, std::memory_order_relaxed);
            scoreboard::set_current(board);
        }
        const Settings::Message configured = settings.message(Settings::Event::Configured);
        log_startup(LogLevel::Notice, settings.module(), configured.id,
                    std::string("Sonora/" SONORA_VERSION " (Unix) ") + configured.text);
        const int sig = run_single(*gen, settings, std::move(buckets.front()), board, sfd);
        const char* name = sig == SIGWINCH ? "SIGWINCH" : sig == SIGINT ? "SIGINT" : "SIGTERM";
        const Settings::Message stop = settings.message(Settings::Event::Stop);
        log_startup(LogLevel::Notice, settings.module(), stop.id, std::string("caught ") + name + ", " + stop.text);
        scoreboard::Scoreboard::destroy(board);
    } else {
        ParentOptions po;
        po.reload = options.reload;
        po.pid_file = pid_file;
        po.signal_fd = sfd;
        status = run_parent(std::move(gen), std::move(buckets), po);
    }
    ::close(sfd);
    // Buffered lines are written and piped loggers see the end of their input.
    logs::access_log_writers().close_all();
    ::unlink(pid_file.c_str());
    return status;
}

}  // namespace sonora::mpm
