#pragma once
// The parent process (httpd's ap_mpm_run of prefork, worker and event): it
// serves no requests. It keeps the listening sockets and the scoreboard,
// forks children and watches them, and acts on the control signals:
//   TERM/INT  stop: children are told to stop at once, then the parent exits;
//   HUP       restart: the configuration is read again, children stopped and
//             a new generation started;
//   USR1      graceful restart: read again; old children finish what they
//             serve while the new generation already accepts;
//   WINCH     graceful stop: no new connections, children finish, exit
//             (after GracefulShutdownTimeout at most).
// A configuration that no longer loads on a restart is logged and the
// running generation goes on serving.

#include "config/generation.h"
#include "os/listeners.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sonora::mpm {

// The listening sockets: one full set per SO_REUSEPORT bucket (one bucket
// unless ListenCoresBucketsRatio asks for more); child slot i serves bucket
// i % buckets.size().
using ListenBuckets = std::vector<std::vector<os::ListenSocket>>;

// Opens `count` buckets of the Listen sockets, each set to wake the server
// only when request data came (TCP_DEFER_ACCEPT, httpd's Linux default).
std::optional<std::string> open_buckets(const std::vector<os::ListenSpec>& specs, int count, int backlog,
                                        ListenBuckets& out);

struct ParentOptions {
    // Reads the configuration again (restart); nullptr and `error` on failure.
    std::function<std::unique_ptr<config::Generation>(std::string& error)> reload;
    std::string pid_file;
    int signal_fd = -1;  // a signalfd for the control signals and SIGCHLD
};

// Serves until stopped; returns the exit status.
int run_parent(std::unique_ptr<config::Generation> gen, ListenBuckets buckets,
               const ParentOptions& options);

}  // namespace sonora::mpm
