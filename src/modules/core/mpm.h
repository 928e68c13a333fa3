#pragma once
// The MPM modules (event, worker, prefork) and their shared settings
// (httpd's mpm_common directives). Exactly one MPM is enabled per
// configuration: the one LoadModule names, else event.

#include <sonora/module.h>

#include <optional>
#include <string>

namespace sonora::modules::core {

extern Module mpm_event_module;
extern Module mpm_worker_module;
extern Module mpm_prefork_module;

bool is_mpm(const Module& m);

struct MpmConfig {
    std::optional<int> listen_backlog;
    std::optional<int> listen_cores_buckets_ratio;
    std::optional<int> send_buffer_size, receive_buffer_size;
    std::optional<int> start_servers;
    std::optional<int> server_limit;
    std::optional<int> min_spare_threads, max_spare_threads;  // worker, event
    std::optional<int> min_spare_servers, max_spare_servers;  // prefork
    std::optional<int> max_request_workers;
    std::optional<int> threads_per_child, thread_limit;
    std::optional<int> async_request_worker_factor;
    std::optional<int> graceful_shutdown_timeout;
    // prefork and worker: httpd 2.2's spelling of `Mutex <mechanism> mpm-accept`
    // and of its lock file, and Sonora's switch for one listener (httpd's
    // compile-time SINGLE_LISTEN_UNSERIALIZED_ACCEPT, on by default as on Linux).
    std::optional<std::string> accept_mutex;
    std::optional<std::string> lock_file;
    std::optional<bool> single_listen_unserialized_accept;
};

}  // namespace sonora::modules::core
