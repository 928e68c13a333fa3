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

// User, Group and ChrootDir (httpd's unixd setup), when started as root.
std::optional<std::string> drop_privileges(const config::Generation& gen);

// The user and group ids children take (User and Group), when both resolve.
std::optional<std::pair<uid_t, gid_t>> child_ids(const config::Generation& gen);

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
