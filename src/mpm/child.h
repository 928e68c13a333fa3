#pragma once
// A child process of the MPM's parent: drops privileges, then serves with
// one worker until told to stop or drain. Also the single process of -X.

#include "config/generation.h"
#include "core/scoreboard.h"
#include "mpm/settings.h"
#include "os/listeners.h"

#include <optional>
#include <string>
#include <vector>

namespace sonora::mpm {

// User, Group and ChrootDir (httpd's unixd setup), when started as root.
std::optional<std::string> drop_privileges(const config::Generation& gen);

// The child's exit status that tells the parent it cannot ever work (httpd's
// APEXIT_CHILDFATAL): the parent then shuts the server down.
inline constexpr int kChildFatal = 0xf;

// Runs in the forked child; never returns.
[[noreturn]] void run_child(const config::Generation& gen, const Settings& settings,
                            const std::vector<os::ListenSocket>& sockets, scoreboard::Scoreboard* board,
                            std::uint32_t slot);

// -X: the parent serves itself, with one scoreboard slot. Returns on stop.
int run_single(const config::Generation& gen, const Settings& settings, std::vector<os::ListenSocket> sockets,
               scoreboard::Scoreboard* board, int signal_fd);

}  // namespace sonora::mpm
