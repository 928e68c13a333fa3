#pragma once
// The MPM's numbers for one configuration generation: httpd's defaults for
// the MPM that LoadModule chose, then httpd's fix-ups of conflicting values,
// each reported as httpd words its warning.

#include "config/generation.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sonora::mpm {

enum class Kind : std::uint8_t { Event, Worker, Prefork };

struct Settings {
    Kind kind = Kind::Event;
    int start_servers = 3;
    int server_limit = 16;
    int thread_limit = 64;
    int threads_per_child = 25;  // 1 in prefork
    int max_request_workers = 400;
    int min_spare = 75;   // threads (worker, event) or servers (prefork)
    int max_spare = 250;
    int max_connections_per_child = 0;  // 0: never recycle
    int graceful_shutdown_timeout = 0;  // seconds; 0: wait for ever
    int async_request_worker_factor = 2;  // event
    int listen_backlog = 511;
    // Accept serialization (prefork, worker): the accept mutex's mechanism
    // word and lock-file directory, or an empty mechanism for none (waiting
    // children are then woken one at a time by EPOLLEXCLUSIVE).
    std::string accept_mechanism;
    std::string accept_mutex_dir;
    bool single_listen_unserialized = true;
    int listen_buckets = 1;  // SO_REUSEPORT buckets (ListenCoresBucketsRatio)

    // Whether a child waiting on `listeners` sockets takes the accept mutex.
    bool serializes(std::size_t listeners) const {
        return !accept_mechanism.empty() && (listeners > 1 || !single_listen_unserialized);
    }

    // Children the configuration lets run at once.
    int max_children() const;
    // Connections an event child takes at once: httpd's ThreadsPerChild +
    // AsyncRequestWorkerFactor x idle workers, with every worker idle (an
    // event child's requests run to completion on its loop). At the cap it
    // stops accepting, and the parent counts it as having no spare capacity.
    int event_connection_cap() const { return threads_per_child * (async_request_worker_factor + 1); }
    const char* name() const;
    // The module name used in log lines: "mpm_event".
    std::string module() const;

    // What the parent logs, with each MPM's own message number (httpd's
    // AH numbers differ per MPM for the same event).
    enum class Event : std::uint8_t { Configured, Stop, GracefulStop, Restart, GracefulRestart, MaxWorkers };
    struct Message {
        const char* id;
        const char* text;  // Configured's is prefixed with the server version
    };
    Message message(Event e) const;
    // httpd's "server seems busy" hint for this MPM.
    std::string busy_hint(int spawning, int idle, int active, int stopping) const;

    // Reads the generation's MPM settings; `warnings` gets httpd's fix-up messages.
    static Settings from(const config::Generation& gen, std::vector<std::string>& warnings);
};

}  // namespace sonora::mpm
