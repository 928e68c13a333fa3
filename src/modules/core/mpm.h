#pragma once
// The MPM modules (event, worker, prefork) and their shared settings
// (httpd's mpm_common directives). Exactly one MPM is enabled per
// configuration: the one LoadModule names, else event.

#include <sonora/module.h>

#include <optional>

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
};

}  // namespace sonora::modules::core
