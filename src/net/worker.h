#pragma once
// A worker: one event loop serving connections from the listening sockets
// with one configuration generation. -X and the single-process mode run one
// worker in the main process; the multi-process MPMs will run one per child.

#include "config/generation.h"
#include "core/scoreboard.h"
#include "event/loop.h"
#include "http/date_cache.h"
#include "net/connection_buffers.h"
#include "os/listeners.h"
#include "request/driver.h"
#include "request/file_cache.h"
#include "net/connection.h"
#include "net/resolver.h"
#include "request/walk.h"

#include <atomic>
#include <csignal>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <string>
#include <vector>

namespace sonora::net {

struct WorkerSettings {
    std::int64_t timeout_ms = 60'000;           // Timeout
    std::int64_t keepalive_timeout_ms = 5'000;  // KeepAliveTimeout
    bool keepalive = true;                      // KeepAlive
    unsigned max_keepalive_requests = 100;      // MaxKeepAliveRequests (0 = unlimited)
    std::size_t limit_request_line = 8190;
    std::size_t limit_request_fieldsize = 8190;
    std::size_t limit_request_fields = 100;
    std::string server_header;                  // per ServerTokens
    std::int64_t file_cache_ttl_ms = 1000;
    bool need_local_address = false;            // %A in a log, or mod_status: ask the kernel on wildcard listeners
    bool see_request_tail = false;              // SeeRequestTail: the scoreboard keeps a long line's end

    static WorkerSettings from(const config::Generation& gen);
};

// What the process running the worker asks of it (the MPM's side).
struct WorkerRole {
    scoreboard::Recorder board;       // the process's scoreboard slot (none: nothing recorded)
    int thread_slot = -1;             // a worker MPM thread: its own worker slot; -1: any of the process's
    unsigned max_open = 0;            // connections at once; prefork's 1, else 0 = no limit
    unsigned max_accepts = 0;         // MaxConnectionsPerChild: then drain and exit (0 = never)
    bool child = false;               // a child of the MPM's parent (signals mean what they mean there)
    bool extended_status = false;     // ExtendedStatus: per-request details in the scoreboard
};

class Worker {
public:
    Worker(const config::Generation& gen, std::vector<os::ListenSocket> listeners, WorkerRole role = {});
    ~Worker();
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    // Serves until stop() is called (from a signal handler through the loop),
    // or, once draining, until its last connection has closed.
    void run();
    // A worker MPM thread's turn: serves the connection it was handed
    // (open_connection) until it closes, or until stopped.
    void run_until_idle();
    void stop() { stopping_ = true; }
    // From another thread (a worker MPM's listener): stop at once, or drain;
    // the loop is woken through an eventfd made by enable_remote_control().
    void enable_remote_control();
    void request_stop();
    void request_drain();
    bool stopping() const { return stopping_; }
    // Graceful: accept no more; connections finish their current request and
    // close after their next response (or their keep-alive timeout).
    void drain();
    bool draining() const { return draining_; }
    int stop_signal() const { return stop_signal_; }
    // Adds a descriptor whose readability stops the loop (a signalfd).
    void watch_stop_fd(int fd);

    // ---- for connections ----
    event::Loop& loop() { return loop_; }
    const WorkerSettings& settings() const { return settings_; }
    request::Context& request_context() { return ctx_; }
    // Reading a request: each connection's own deadline (Timeout since the
    // last read, or mod_reqtimeout's stage limit when that comes first).
    event::TimerHeap& read_deadlines() { return read_deadlines_; }
    // mod_reqtimeout's limits for requests to `server`; null when none apply.
    const ReadTimeouts* read_timeouts(const Server& server) const;
    event::TimerList& keepalive_timers() { return keepalive_timers_; }
    event::TimerList& linger_timers() { return linger_timers_; }
    // Started on first use: only HostnameLookups On/Double needs it.
    Resolver& resolver() {
        if (!resolver_) {
            resolver_ = std::make_unique<Resolver>(loop_);
        }
        return *resolver_;
    }
    // The current Date header value (IMF-fixdate), formatted once per second.
    std::string_view date();
    void update_wall_clock();
    std::int64_t wall_seconds() const { return wall_s_; }
    std::int64_t wall_us() const { return wall_us_; }
    // Takes over an accepted socket (a pooled Connection serves it).
    void open_connection(int fd, const sockaddr_storage& peer, int local_port,
                         const sockaddr_storage* local = nullptr);
    void retire(Connection* c);  // returned to the pool after the current loop turn
    // Buffers for a connection that has input to handle, from the pool; and
    // back (reset) when it goes idle or closes.
    std::unique_ptr<ConnectionBuffers> take_buffers();
    void give_back(std::unique_ptr<ConnectionBuffers> b);
    // Ends the current loop turn's bookkeeping (run() does this itself).
    void recycle_retired();
    const std::vector<os::ListenSocket>& listeners() const { return listeners_; }

    // ---- the scoreboard, for connections ----
    // A worker slot while a request is in flight (null without a scoreboard,
    // or when every slot is taken).
    scoreboard::WorkerSlot* acquire_slot();
    void release_slot(scoreboard::WorkerSlot* slot);
    scoreboard::ProcessSlot* process_slot() { return process_slot_; }
    bool extended_status() const { return role_.extended_status; }
    // A worker MPM thread: one connection holds the thread (and its slot) to its end.
    bool thread_per_connection() const { return role_.thread_slot >= 0; }

private:
    class Acceptor;
    class StopWatcher;
    class RemoteControl;
    class FsEvents;

    void accept_from(const os::ListenSocket& l);
    void collect_read_timeouts(const config::Generation& gen);
    void set_accepting(bool on);
    void expire_timers();
    void turn();  // one loop turn: wait, dispatch, timers, bookkeeping
    void tick_logs(bool now);

    WorkerSettings settings_;
    std::vector<os::ListenSocket> listeners_;
    event::Loop loop_;
    request::Walker walker_;
    request::FileCache files_;
    request::Pipeline pipeline_;
    request::Context ctx_;
    std::vector<std::unique_ptr<Acceptor>> acceptors_;
    std::unique_ptr<StopWatcher> stop_watcher_;
    std::unique_ptr<RemoteControl> remote_;
    std::unique_ptr<FsEvents> fs_events_;
    std::atomic<bool> stop_requested_{false};
    std::atomic<bool> drain_requested_{false};
    std::unique_ptr<Resolver> resolver_;
    event::TimerHeap read_deadlines_;
    std::unordered_map<const Server*, ReadTimeouts> read_timeouts_;
    event::TimerList keepalive_timers_;
    event::TimerList linger_timers_;
    std::vector<Connection*> retired_;
    // Every connection object ever made, reused through free_: the pool grows
    // to the peak number of simultaneous connections and is freed with the worker.
    std::vector<std::unique_ptr<Connection>> owned_;
    std::vector<Connection*> free_;
    std::vector<std::unique_ptr<ConnectionBuffers>> spare_buffers_;
    std::size_t open_connections_ = 0;
    WorkerRole role_;
    scoreboard::ProcessSlot* process_slot_ = nullptr;
    std::vector<scoreboard::WorkerSlot*> free_slots_;
    std::uint64_t accepted_ = 0;
    bool accepting_ = true;
    bool stopping_ = false;
    bool draining_ = false;
    int stop_signal_ = SIGTERM;
    std::int64_t wall_s_ = 0;
    std::int64_t wall_us_ = 0;
    std::int64_t last_log_tick_ms_ = 0;
    http::DateCache date_cache_;
};

}  // namespace sonora::net
