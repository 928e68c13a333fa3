#include "os/reaper.h"

#include "core/clock.h"

#include <sys/wait.h>

#include <csignal>
#include <mutex>
#include <vector>

namespace sonora::os {

std::atomic<int> g_pending_children{0};

namespace {

constexpr std::int64_t kGraceMs = 3000;

struct Pending {
    pid_t pid;
    std::int64_t kill_at_ms;
    bool killed;
};

std::mutex g_mutex;
std::vector<Pending> g_pending;

// True once `pid` is gone (reaped here, or not a child of ours any more).
bool reaped(pid_t pid) {
    const pid_t r = ::waitpid(pid, nullptr, WNOHANG);
    return r == pid || r < 0;
}

}  // namespace

void reap_later(pid_t pid) {
    if (pid <= 0 || reaped(pid)) {
        return;
    }
    const std::int64_t now_ms = monotonic_ms();
    ::kill(pid, SIGTERM);
    std::lock_guard lock(g_mutex);
    g_pending.push_back(Pending{pid, now_ms + kGraceMs, false});
    g_pending_children.store(static_cast<int>(g_pending.size()), std::memory_order_relaxed);
}

void reap_children(std::int64_t now_ms) {
    std::lock_guard lock(g_mutex);
    std::erase_if(g_pending, [&](Pending& p) {
        if (reaped(p.pid)) {
            return true;
        }
        if (!p.killed && now_ms >= p.kill_at_ms) {
            ::kill(p.pid, SIGKILL);
            p.killed = true;
        }
        return false;
    });
    g_pending_children.store(static_cast<int>(g_pending.size()), std::memory_order_relaxed);
}

void reap_remaining() {
    std::lock_guard lock(g_mutex);
    for (const Pending& p : g_pending) {
        if (!reaped(p.pid)) {
            ::kill(p.pid, SIGKILL);
            ::waitpid(p.pid, nullptr, 0);
        }
    }
    g_pending.clear();
    g_pending_children.store(0, std::memory_order_relaxed);
}

}  // namespace sonora::os
