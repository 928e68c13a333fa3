#pragma once
// Starting the server: listeners, ErrorLog and the modules' logs, PidFile,
// then either the MPM's parent (children serve) or, with -X, one process
// that serves itself.

#include "config/generation.h"

#include <functional>
#include <memory>
#include <string>

namespace sonora::mpm {

struct RunOptions {
    bool foreground = false;   // -DFOREGROUND, -DNO_DETACH, -X: do not detach
    bool one_process = false;  // -X, -DONE_PROCESS: no parent, no children
    std::string program;       // argv[0]'s basename, for messages
    // Reads the configuration again for a restart; nullptr and `error` on failure.
    std::function<std::unique_ptr<config::Generation>(std::string& error)> reload;
};

// Serves until SIGTERM/SIGINT (or SIGWINCH, graceful stop). Returns the exit
// status. Errors before serving (bind, PidFile, ErrorLog) are printed to stderr.
int run_server(std::unique_ptr<config::Generation> gen, const RunOptions& options);

}  // namespace sonora::mpm
