#include "modules/generators/mod_status_snapshot.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace sonora::modules::generators::status {

namespace {

using scoreboard::State;

constexpr char kDisabled = ' ';  // a slot beyond what the configuration can use

constexpr char as_char(State s) { return static_cast<char>(s); }

// Handling a request, in httpd's sense: neither waiting, starting, open,
// being cleaned up nor finishing for a graceful exit.
bool is_busy(char c) {
    return c != as_char(State::Ready) && c != as_char(State::Dead) && c != as_char(State::Starting) &&
           c != as_char(State::Idle) && c != as_char(State::Graceful);
}

CpuTimes& operator+=(CpuTimes& a, const CpuTimes& b) {
    a.user += b.user;
    a.system += b.system;
    a.child_user += b.child_user;
    a.child_system += b.child_system;
    return a;
}

std::string field(const char* bytes, std::size_t size) { return std::string(bytes, strnlen(bytes, size)); }

WorkerRow worker_row(const scoreboard::WorkerSlot& w, char state, std::uint32_t slot, pid_t pid,
                     std::uint32_t generation, const CpuTimes& cpu, std::int64_t now_us) {
    WorkerRow row;
    row.process = slot;
    row.generation = generation;
    row.pid = pid;
    row.state = state;
    row.conn_count = w.conn_count.load(std::memory_order_relaxed);
    row.my_access_count = w.my_access_count.load(std::memory_order_relaxed);
    row.access_count = w.access_count.load(std::memory_order_relaxed);
    row.conn_bytes = w.conn_bytes.load(std::memory_order_relaxed);
    row.my_bytes = w.my_bytes_served.load(std::memory_order_relaxed);
    row.bytes = w.bytes_served.load(std::memory_order_relaxed);
    row.cpu = cpu;
    const std::int64_t start = w.start_us.load(std::memory_order_relaxed);
    const std::int64_t stop = w.stop_us.load(std::memory_order_relaxed);
    const std::int64_t last = std::max(start, stop);
    row.since_s = last > 0 ? std::max<std::int64_t>(0, now_us - last) / 1'000'000 : 0;
    // A request in flight started after the last one stopped: httpd shows 0.
    row.request_ms = start > 0 ? std::max<std::int64_t>(0, stop - start) / 1000 : 0;
    row.duration_ms = w.duration_us.load(std::memory_order_relaxed) / 1000;
    row.client = field(w.client, sizeof w.client);
    row.vhost = field(w.vhost, sizeof w.vhost);
    row.request = field(w.request, sizeof w.request);
    return row;
}

}  // namespace

Snapshot take_snapshot(const scoreboard::Scoreboard& sb, const SnapshotInputs& in) {
    const scoreboard::Global& g = sb.global();
    Snapshot s;
    s.mpm = field(g.mpm, sizeof g.mpm);
    s.async = s.mpm == "event";
    s.extended = in.extended;
    s.now_us = in.now_us;
    s.restart_us = g.restart_us.load(std::memory_order_relaxed);
    s.uptime_s = static_cast<std::uint32_t>(std::max<std::int64_t>(0, s.now_us - s.restart_us) / 1'000'000);
    const std::uint32_t current = g.generation.load(std::memory_order_relaxed);
    s.mpm_generation = current;
    s.config_generation = current + 1;
    std::copy(std::begin(in.load), std::end(in.load), std::begin(s.load));

    const std::uint32_t servers = sb.server_limit();
    const std::uint32_t threads_limit = sb.thread_limit();
    const std::uint32_t threads = std::clamp<std::uint32_t>(g.threads_per_child, 1, threads_limit);
    const std::uint32_t max_servers = g.max_servers != 0 ? std::min(g.max_servers, servers) : servers;
    s.board.reserve(static_cast<std::size_t>(max_servers) * threads);
    std::uint64_t bytes = 0;
    std::int64_t duration_us = 0;
    for (std::uint32_t i = 0; i < servers; ++i) {
        const scoreboard::ProcessSlot& p = sb.process(i);
        const pid_t pid = p.pid.load(std::memory_order_acquire);
        const std::uint32_t generation = p.generation.load(std::memory_order_relaxed);
        const bool quiescing = p.quiescing.load(std::memory_order_relaxed);
        const CpuTimes cpu = pid != 0 && in.cpu_of != nullptr ? in.cpu_of(pid) : CpuTimes{};
        ProcessRow row;
        row.slot = i;
        row.pid = pid;
        row.stopping = quiescing;
        row.old_generation = generation != current;
        row.connections = p.connections.load(std::memory_order_relaxed);
        row.accepting = !quiescing && !p.not_accepting.load(std::memory_order_relaxed);
        row.keep_alive = p.keep_alive.load(std::memory_order_relaxed);
        row.closing = p.lingering.load(std::memory_order_relaxed);
        for (std::uint32_t j = 0; j < threads_limit; ++j) {
            const scoreboard::WorkerSlot& w = sb.worker(i, j);
            const char state = w.state.load(std::memory_order_relaxed);
            const bool disabled = (i >= max_servers || j >= threads) && state == as_char(State::Dead);
            const char shown = disabled ? kDisabled : state;
            if (!disabled) {
                s.board += shown;
            }
            if (shown != as_char(State::Dead)) {
                s.pid_key.push_back({pid, shown});
            }
            if (pid != 0) {
                if (state == as_char(State::Ready)) {
                    ++row.idle;
                    s.idle += !quiescing && generation == current ? 1 : 0;
                } else if (state == as_char(State::Graceful)) {
                    ++row.graceful;
                    ++s.graceful;
                } else if (is_busy(state)) {
                    ++row.busy;
                    s.busy += quiescing ? 0 : 1;
                }
            }
            if (!in.extended) {
                continue;
            }
            const std::uint64_t accesses = w.access_count.load(std::memory_order_relaxed);
            if (accesses == 0 && (state == as_char(State::Ready) || state == as_char(State::Dead))) {
                continue;
            }
            s.accesses += accesses;
            bytes += w.bytes_served.load(std::memory_order_relaxed);
            duration_us += w.duration_us.load(std::memory_order_relaxed);
            s.workers.push_back(worker_row(w, state, i, pid, generation, cpu, in.now_us));
        }
        if (pid != 0) {
            s.cpu += cpu;
            s.stopping += quiescing ? 1 : 0;
            s.processes.push_back(row);
        }
    }
    s.kbytes = bytes / 1024;
    s.duration_ms = duration_us / 1000;
    return s;
}

CpuTimes read_process_cpu(pid_t pid) {
    CpuTimes t;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return t;
    }
    char buf[1024];
    const ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    if (n <= 0) {
        return t;
    }
    buf[n] = '\0';
    // The command name may hold spaces and parentheses: fields count from the last ')'.
    const char* p = std::strrchr(buf, ')');
    if (p == nullptr) {
        return t;
    }
    ++p;
    // Fields 3 .. 13 come first (state .. cmajflt); utime is the 14th.
    for (int skip = 0; skip < 11 && p != nullptr; ++skip) {
        p = std::strchr(p + 1, ' ');
    }
    if (p == nullptr) {
        return t;
    }
    const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
    char* end = nullptr;
    double* out[] = {&t.user, &t.system, &t.child_user, &t.child_system};
    for (double* v : out) {
        const unsigned long long ticks = std::strtoull(p, &end, 10);
        if (end == p) {
            return CpuTimes{};
        }
        *v = static_cast<double>(ticks) / tick;
        p = end;
    }
    return t;
}

}  // namespace sonora::modules::generators::status
