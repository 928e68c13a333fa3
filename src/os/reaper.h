#pragma once
// Child processes a request started (CGI scripts) that outlive their
// request: httpd's kill_after_timeout. When the request lets go of a script
// that has not exited, it gets SIGTERM, then SIGKILL three seconds later,
// and is reaped so that no zombie stays behind. Any thread may hand one
// over; the event loop's turn calls reap_children() while some are pending.

#include <sys/types.h>

#include <atomic>
#include <cstdint>

namespace sonora::os {

// Reaps `pid` now if it has exited; otherwise terminates it and keeps it for
// reap_children().
void reap_later(pid_t pid);

// Reaps what has exited since, kills what has outstayed its grace period.
// `now_ms` on the event loop's clock (CLOCK_MONOTONIC_COARSE).
void reap_children(std::int64_t now_ms);

// At exit: kills what is still pending and waits for it, so that no
// script outlives the process that started it as a zombie.
void reap_remaining();

// Scripts handed over and not yet reaped (a cheap check for the loop).
extern std::atomic<int> g_pending_children;
inline bool children_pending() { return g_pending_children.load(std::memory_order_relaxed) > 0; }

}  // namespace sonora::os
