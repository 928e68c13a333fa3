#pragma once
// A child process of the MPM's parent: drops privileges, then serves as its
// MPM does until told to stop or drain:
//   event    one net::Worker owning every connection on its epoll loop, the
//            listeners in that loop with EPOLLEXCLUSIVE;
//   prefork  one connection at a time: the accept loop (serialised by the
//            accept mutex when there is one), then the connection served to
//            its end on a net::Worker, then the accept loop again;
//   worker   a listener thread and ThreadsPerChild worker threads
//            (threaded_child.h).
// Also the single process of -X (the event shape).

#include "config/generation.h"
#include "core/scoreboard.h"
#include "mpm/settings.h"
#include "os/accept_mutex.h"
#include "os/listeners.h"

#include <optional>
#include <utility>
#include <string>
#include <vector>

namespace sonora::mpm {

// Every module's child_init hook (mod_unixd: User, Group, ChrootDir), in
// the child after fork; the first error.
std::optional<std::string> init_child(const config::Generation& gen);

// The child's exit status that tells the parent it cannot ever work (httpd's
// APEXIT_CHILDFATAL): the parent then shuts the server down.
inline constexpr int kChildFatal = 0xf;

// Runs in the forked child; never returns.
// `sockets`: the child's listener bucket; `mutex`: its accept mutex, or null.
[[noreturn]] void run_child(const config::Generation& gen, const Settings& settings,
                            const std::vector<os::ListenSocket>& sockets, os::AcceptMutex* mutex,
                            scoreboard::Scoreboard* board, std::uint32_t slot);

// -X: the parent serves itself, with one scoreboard slot. Returns on stop.
int run_single(const config::Generation& gen, const Settings& settings, std::vector<os::ListenSocket> sockets,
               scoreboard::Scoreboard* board, int signal_fd);

}  // namespace sonora::mpm
