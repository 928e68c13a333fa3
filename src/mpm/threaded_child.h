#pragma once
// A worker MPM child (httpd's worker.c inside one process): the calling
// thread is the listener, ThreadsPerChild worker threads serve. The listener
// accepts only while some worker is idle, and hands each connection to an
// idle worker, which serves it to the end, keep-alive waits included, on the
// same protocol core as every MPM (a net::Worker of its own, with one
// connection at a time). Hand-off and idle accounting are atomics; a worker
// waits for its next connection on a futex.
//
// Signals are read by the listener from the child's signalfd: TERM stops
// every thread at once; USR1 and WINCH drain (no more accepting, each
// connection's next response closes it, the child exits when all threads
// are idle). MaxConnectionsPerChild drains the same way.

#include "config/generation.h"
#include "core/scoreboard.h"
#include "mpm/settings.h"
#include "net/worker.h"
#include "os/accept_mutex.h"
#include "os/listeners.h"

#include <vector>

namespace sonora::mpm {

// Serves until stopped or drained. `role` is the process's; each thread
// gets its own scoreboard worker slot. Returns the signal that ended it, or
// -1 when the accept mutex failed (fatal for the child, as in httpd).
int serve_threaded(const config::Generation& gen, const Settings& settings,
                   const std::vector<os::ListenSocket>& sockets, int signal_fd, net::WorkerRole role,
                   os::AcceptMutex* mutex);

}  // namespace sonora::mpm
