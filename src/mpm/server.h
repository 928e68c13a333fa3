#pragma once
// Running the server: listeners, PidFile, ErrorLog, privileges, signals, and
// the worker loop. For now every MPM runs a single process with one event
// loop (what -X does in httpd); the multi-process MPMs come with their issue.

#include "config/generation.h"

#include <memory>
#include <string>

namespace sonora::mpm {

struct RunOptions {
    bool foreground = false;  // -DFOREGROUND, -DNO_DETACH, -X: do not detach
    std::string program;      // argv[0]'s basename, for messages
};

// Serves until SIGTERM/SIGINT (or SIGWINCH, graceful stop). Returns the exit
// status. Errors before serving (bind, PidFile, ErrorLog) are printed to stderr.
int run_server(std::unique_ptr<config::Generation> gen, const RunOptions& options);

}  // namespace sonora::mpm
