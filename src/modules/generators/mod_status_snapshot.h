#pragma once
// One reading of the scoreboard, reduced to what mod_status prints: the
// totals, the per-process table of the event MPM, the key map and the
// per-worker rows. The renderers (mod_status_html.h, mod_status_auto.h) only
// format a Snapshot; they read no shared memory.
//
// The scoreboard is read without locks, field by field, as httpd reads it:
// a worker may change state while it is being read, so totals are a recent
// picture, not a consistent one.

#include "core/scoreboard.h"

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace sonora::modules::generators::status {

// CPU time in seconds, as times() reports it for a process.
struct CpuTimes {
    double user = 0;
    double system = 0;
    double child_user = 0;
    double child_system = 0;
    double total() const { return user + system + child_user + child_system; }
};

// A process slot with a live process (the event MPM's table).
struct ProcessRow {
    std::uint32_t slot = 0;
    pid_t pid = 0;
    bool stopping = false;        // no longer accepting: graceful restart, recycling
    bool old_generation = false;  // serves a configuration that was replaced
    std::uint32_t connections = 0;
    bool accepting = true;
    int busy = 0;
    int graceful = 0;
    int idle = 0;
    std::uint32_t writing = 0;     // asynchronous write completion: none in Sonora
    std::uint32_t keep_alive = 0;  // idle keep-alive connections (no worker held)
    std::uint32_t closing = 0;     // lingering closes
};

// A worker slot that has served a request or is not waiting (ExtendedStatus).
struct WorkerRow {
    std::uint32_t process = 0;  // the slot number
    std::uint32_t generation = 0;
    pid_t pid = 0;  // 0: no process in the slot any more
    char state = '.';
    std::uint64_t conn_count = 0;
    std::uint64_t my_access_count = 0;
    std::uint64_t access_count = 0;
    std::uint64_t conn_bytes = 0;
    std::uint64_t my_bytes = 0;
    std::uint64_t bytes = 0;
    CpuTimes cpu;                 // of its process, now
    std::int64_t since_s = 0;     // seconds since the slot last started or ended a request
    std::int64_t request_ms = 0;  // the last finished request's time
    std::int64_t duration_ms = 0; // all requests' time in this slot
    std::string client;
    std::string vhost;
    std::string request;
};

struct Snapshot {
    std::string mpm;     // "event", "worker", "prefork"
    bool async = false;  // the event MPM: the per-process table and its ?auto keys
    bool extended = false;
    std::int64_t now_us = 0;
    std::int64_t restart_us = 0;
    std::uint32_t uptime_s = 0;
    std::uint32_t config_generation = 1;  // httpd counts configurations read from 1
    std::uint32_t mpm_generation = 0;     // and restarts from 0
    double load[3] = {0, 0, 0};

    // ExtendedStatus only.
    std::uint64_t accesses = 0;
    std::uint64_t kbytes = 0;
    std::int64_t duration_ms = 0;
    CpuTimes cpu;

    int busy = 0;      // requests being processed by live processes still accepting
    int graceful = 0;  // workers finishing their last request before their process exits
    int idle = 0;      // waiting workers of the current generation

    std::vector<ProcessRow> processes;
    int stopping = 0;

    std::string board;  // the key map: one character per worker slot shown
    // Every slot but the open ones ('.'), with its process id: the "PID Key"
    // httpd lists when ExtendedStatus is off. Slots past the configured
    // limits are ' '.
    struct PidKey {
        pid_t pid;
        char state;
    };
    std::vector<PidKey> pid_key;
    std::vector<WorkerRow> workers;  // ExtendedStatus only
};

struct SnapshotInputs {
    std::int64_t now_us = 0;
    bool extended = false;
    CpuTimes (*cpu_of)(pid_t) = nullptr;  // a process's CPU times; null: all zero
    double load[3] = {0, 0, 0};
};

Snapshot take_snapshot(const scoreboard::Scoreboard& sb, const SnapshotInputs& in);

// A live process's CPU times from /proc/PID/stat (zero when it cannot be read).
CpuTimes read_process_cpu(pid_t pid);

}  // namespace sonora::modules::generators::status
