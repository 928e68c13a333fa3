#pragma once
// The scoreboard: what every child process is doing, in memory shared by the
// parent and all children (httpd's scoreboard.c).
//
// The parent maps it before the first fork, so it outlives any child: a child
// that crashes leaves its slot readable, and the parent reclaims it when it
// reaps the pid. Each process writes only its own slot and the worker slots
// under it; fields are atomics (relaxed: readers want a recent picture, not
// a consistent snapshot), so nothing here locks. The ExtendedStatus strings
// are plain bytes and may be read half-written, as in httpd.
//
// A "worker" is what httpd calls one: a thread in worker, the process itself
// in prefork, and in event a request in flight (a connection holds a worker
// slot only while a request is being read, handled or written; idle keep-alive
// and lingering connections hold none and are counted in the process slot).

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sonora::scoreboard {

// httpd's SERVER_* states, with the characters of mod_status's key map.
enum class State : char {
    Dead = '.',       // open slot, no process
    Starting = 'S',
    Ready = '_',      // waiting for a connection
    Reading = 'R',
    Writing = 'W',    // handling and sending the reply
    KeepAlive = 'K',
    Logging = 'L',
    Dns = 'D',
    Closing = 'C',
    Graceful = 'G',   // finishing its last requests before exiting
    Idle = 'I',       // idle cleanup of a worker
};

inline constexpr std::size_t kClientLen = 64;  // room for any IPv6 address
inline constexpr std::size_t kVhostLen = 32;
inline constexpr std::size_t kRequestLen = 64;

struct WorkerSlot {
    std::atomic<char> state{static_cast<char>(State::Dead)};
    std::atomic<std::uint64_t> access_count{0};  // requests, over the slot's life
    std::atomic<std::uint64_t> bytes_served{0};
    std::atomic<std::uint64_t> my_access_count{0};  // since the current process started
    std::atomic<std::uint64_t> my_bytes_served{0};
    std::atomic<std::uint64_t> conn_count{0};  // requests on the current connection
    std::atomic<std::uint64_t> conn_bytes{0};  // bytes of its requests while it holds this slot
    std::atomic<std::int64_t> start_us{0};  // the current request's start (ExtendedStatus)
    std::atomic<std::int64_t> stop_us{0};   // the last request's end (ExtendedStatus)
    std::atomic<std::int64_t> duration_us{0};  // all requests' time in this slot (ExtendedStatus)
    char client[kClientLen] = {};
    char vhost[kVhostLen] = {};
    char request[kRequestLen] = {};
};

struct ProcessSlot {
    std::atomic<pid_t> pid{0};
    std::atomic<std::uint32_t> generation{0};
    std::atomic<bool> quiescing{false};      // no longer accepting: graceful or recycling
    std::atomic<bool> not_accepting{false};  // at its connection limit for now
    std::atomic<std::uint32_t> connections{0};  // open, whatever their state
    std::atomic<std::uint32_t> keep_alive{0};
    std::atomic<std::uint32_t> lingering{0};
    std::atomic<std::uint32_t> busy{0};       // worker slots not Ready
    std::atomic<std::uint64_t> accepted{0};   // connections, since the process started
};

struct Global {
    std::atomic<std::uint32_t> generation{0};  // the running configuration's
    std::atomic<std::int64_t> restart_us{0};   // when it started serving
    std::atomic<std::int64_t> start_us{0};     // when the parent started
    std::atomic<std::uint32_t> restarts{0};
    std::uint32_t server_limit = 0;
    std::uint32_t thread_limit = 0;
    std::uint32_t threads_per_child = 0;  // worker slots in use per process
    std::uint32_t max_servers = 0;        // processes the configuration lets run (0: server_limit)
    char mpm[16] = {};                    // "event", "worker", "prefork"
};

class Scoreboard {
public:
    // Maps shared anonymous memory for `server_limit` processes of
    // `thread_limit` worker slots each. nullptr (errno set) if it cannot.
    static Scoreboard* create(std::uint32_t server_limit, std::uint32_t thread_limit);
    // Only for the process that created it, after its last child is gone.
    static void destroy(Scoreboard* sb);

    Global& global() { return *global_; }
    const Global& global() const { return *global_; }
    ProcessSlot& process(std::uint32_t i) { return procs_[i]; }
    const ProcessSlot& process(std::uint32_t i) const { return procs_[i]; }
    WorkerSlot& worker(std::uint32_t proc, std::uint32_t thread) {
        return workers_[static_cast<std::size_t>(proc) * global_->thread_limit + thread];
    }
    const WorkerSlot& worker(std::uint32_t proc, std::uint32_t thread) const {
        return workers_[static_cast<std::size_t>(proc) * global_->thread_limit + thread];
    }
    std::uint32_t server_limit() const { return global_->server_limit; }
    std::uint32_t thread_limit() const { return global_->thread_limit; }

    // A new process takes slot `i`: its worker slots become Ready (or Dead
    // beyond threads_per_child); the per-process counters start again.
    void claim(std::uint32_t i, pid_t pid, std::uint32_t generation);
    // The parent reaped the slot's process.
    void release(std::uint32_t i);

private:
    Scoreboard() = default;
    void* base_ = nullptr;
    std::size_t size_ = 0;
    Global* global_ = nullptr;
    ProcessSlot* procs_ = nullptr;
    WorkerSlot* workers_ = nullptr;
};

// The scoreboard of this server, or nullptr before the MPM made one (unit
// tests). Set by the MPM before it forks; read by mod_status.
Scoreboard* current();
void set_current(Scoreboard* sb);

// Copies `s` into a fixed field, cut to fit, always terminated.
void copy_field(char* field, std::size_t size, std::string_view s);

// What one process records of its own activity; the null recorder (no
// scoreboard) does nothing, so callers need no checks.
class Recorder {
public:
    Recorder() = default;
    Recorder(Scoreboard* sb, std::uint32_t proc) : sb_(sb), proc_(proc) {}
    bool active() const { return sb_ != nullptr; }
    ProcessSlot* process() { return sb_ != nullptr ? &sb_->process(proc_) : nullptr; }
    WorkerSlot* worker(std::uint32_t thread) { return sb_ != nullptr ? &sb_->worker(proc_, thread) : nullptr; }
    std::uint32_t threads() const { return sb_ != nullptr ? sb_->global().threads_per_child : 0; }

private:
    Scoreboard* sb_ = nullptr;
    std::uint32_t proc_ = 0;
};

}  // namespace sonora::scoreboard
