#include "mpm/settings.h"

#include "modules/core/core_config.h"
#include "modules/core/mpm.h"
#include "os/accept_mutex.h"
#include "os/listeners.h"

#include <unistd.h>

#include <algorithm>
#include <string_view>

namespace sonora::mpm {

namespace {

// httpd's compile-time ceilings (MAX_SERVER_LIMIT, MAX_THREAD_LIMIT).
constexpr int kMaxServerLimit = 20000;
constexpr int kMaxThreadLimit = 100000;
constexpr int kPreforkMaxServerLimit = 200000;

std::string n(int v) { return std::to_string(v); }

// httpd's floor of one for StartServers and MinSpare{Threads,Servers}.
void at_least_one(int& value, std::string_view id, std::string_view name, std::string_view why,
                  std::vector<std::string>& w) {
    if (value < 1) {
        w.push_back(std::string(id) + ": WARNING: " + std::string(name) + " of " + n(value) +
                    " not allowed, increasing to 1" + std::string(why));
        value = 1;
    }
}

constexpr std::string_view kSpareWhy =
    " to avoid almost certain server failure. Please read the documentation.";

void fix_threaded(Settings& s, const modules::core::MpmConfig& c, std::vector<std::string>& w) {
    s.start_servers = c.start_servers.value_or(3);
    s.server_limit = c.server_limit.value_or(16);
    s.thread_limit = c.thread_limit.value_or(64);
    s.threads_per_child = c.threads_per_child.value_or(25);
    s.max_request_workers = c.max_request_workers.value_or(400);
    s.min_spare = c.min_spare_threads.value_or(75);
    s.max_spare = c.max_spare_threads.value_or(250);
    if (s.server_limit > kMaxServerLimit) {
        w.push_back("SN00497: WARNING: ServerLimit of " + n(s.server_limit) + " exceeds compile-time limit of " +
                    n(kMaxServerLimit) + " servers, decreasing to " + n(kMaxServerLimit) + ".");
        s.server_limit = kMaxServerLimit;
    }
    if (s.thread_limit > kMaxThreadLimit) {
        w.push_back("SN00502: WARNING: ThreadLimit of " + n(s.thread_limit) + " exceeds compile-time limit of " +
                    n(kMaxThreadLimit) + " threads, decreasing to " + n(kMaxThreadLimit) + ".");
        s.thread_limit = kMaxThreadLimit;
    }
    if (s.threads_per_child > s.thread_limit) {
        w.push_back("SN00507: WARNING: ThreadsPerChild of " + n(s.threads_per_child) + " exceeds ThreadLimit of " +
                    n(s.thread_limit) + " threads, decreasing to " + n(s.thread_limit) +
                    ". To increase, please see the ThreadLimit directive.");
        s.threads_per_child = s.thread_limit;
    }
    if (s.max_request_workers < s.threads_per_child) {
        w.push_back("SN00511: WARNING: MaxRequestWorkers of " + n(s.max_request_workers) +
                    " is less than ThreadsPerChild of " + n(s.threads_per_child) + ", increasing to " +
                    n(s.threads_per_child) +
                    ". MaxRequestWorkers must be at least as large as the number of threads in a single server.");
        s.max_request_workers = s.threads_per_child;
    }
    int daemons = s.max_request_workers / s.threads_per_child;
    if (s.max_request_workers % s.threads_per_child != 0) {
        const int fixed = daemons * s.threads_per_child;
        w.push_back("SN00513: WARNING: MaxRequestWorkers of " + n(s.max_request_workers) +
                    " is not an integer multiple of ThreadsPerChild of " + n(s.threads_per_child) +
                    ", decreasing to nearest multiple " + n(fixed) + ", for a maximum of " + n(daemons) +
                    " servers.");
        s.max_request_workers = fixed;
    }
    if (daemons > s.server_limit) {
        const int fixed = s.server_limit * s.threads_per_child;
        w.push_back("SN00515: WARNING: MaxRequestWorkers of " + n(s.max_request_workers) + " would require " +
                    n(daemons) + " servers and would exceed ServerLimit of " + n(s.server_limit) +
                    ", decreasing to " + n(fixed) + ". To increase, please see the ServerLimit directive.");
        s.max_request_workers = fixed;
    }
    at_least_one(s.start_servers, "SN00517", "StartServers", ".", w);
    at_least_one(s.min_spare, "SN00519", "MinSpareThreads", kSpareWhy, w);
    // httpd keeps room for one more child's threads above the minimum.
    s.max_spare = std::max(s.max_spare, s.min_spare + s.threads_per_child);
}

void fix_prefork(Settings& s, const modules::core::MpmConfig& c, std::vector<std::string>& w) {
    s.start_servers = c.start_servers.value_or(5);
    s.server_limit = c.server_limit.value_or(256);
    s.thread_limit = 1;
    s.threads_per_child = 1;
    s.max_request_workers = c.max_request_workers.value_or(256);
    s.min_spare = c.min_spare_servers.value_or(5);
    s.max_spare = c.max_spare_servers.value_or(10);
    if (s.server_limit > kPreforkMaxServerLimit) {
        w.push_back("SN00164: WARNING: ServerLimit of " + n(s.server_limit) + " exceeds compile-time limit of " +
                    n(kPreforkMaxServerLimit) + " servers, decreasing to " + n(kPreforkMaxServerLimit) + ".");
        s.server_limit = kPreforkMaxServerLimit;
    }
    if (s.max_request_workers > s.server_limit) {
        w.push_back("SN00180: WARNING: MaxRequestWorkers of " + n(s.max_request_workers) +
                    " exceeds ServerLimit value of " + n(s.server_limit) + " servers, decreasing MaxRequestWorkers to " +
                    n(s.server_limit) + ". To increase, please see the ServerLimit directive.");
        s.max_request_workers = s.server_limit;
    }
    at_least_one(s.start_servers, "SN00184", "StartServers", ".", w);
    at_least_one(s.min_spare, "SN00186", "MinSpareServers", kSpareWhy, w);
    if (s.max_spare <= s.min_spare) {
        s.max_spare = s.min_spare + 1;
    }
}

// httpd's resolution of the mpm-accept mutex (the `Mutex ... mpm-accept`
// line, or httpd 2.2's AcceptMutex/LockFile, else the `Mutex ... default`
// line). Without either, Sonora serialises nothing: its children wait with
// EPOLLEXCLUSIVE, which wakes one of them per connection without a lock.
void resolve_accept_mutex(Settings& s, const config::Generation& gen, const modules::core::MpmConfig& c,
                          const modules::core::CoreServerConfig& core) {
    std::optional<os::MutexSpec> own;
    if (auto it = core.mutexes.find(std::string(os::kAcceptMutexName)); it != core.mutexes.end()) {
        own = os::MutexSpec{it->second.mechanism, it->second.path};
    } else if (c.accept_mutex || c.lock_file) {
        std::string dir;
        if (c.lock_file) {
            dir = c.lock_file->substr(0, c.lock_file->rfind('/'));
        }
        own = os::MutexSpec{c.accept_mutex.value_or("default"), dir};
    }
    std::optional<os::MutexSpec> fallback;
    if (auto it = core.mutexes.find("default"); it != core.mutexes.end()) {
        fallback = os::MutexSpec{it->second.mechanism, it->second.path};
    }
    s.single_listen_unserialized = c.single_listen_unserialized_accept.value_or(true);
    if (!own && !fallback) {
        return;
    }
    const std::string runtime_dir = core.default_runtime_dir.value_or(gen.server_root + "/logs");
    const os::MutexChoice choice =
        os::resolve_mutex_setting(own ? &*own : nullptr, fallback ? &*fallback : nullptr, runtime_dir);
    auto mech = os::parse_mutex_mechanism(choice.mechanism);
    if (mech && *mech != os::MutexMechanism::None) {
        s.accept_mechanism = choice.mechanism;
        s.accept_mutex_dir = choice.dir;
    }
}

}  // namespace

int Settings::max_children() const { return std::min(server_limit, max_request_workers / threads_per_child); }

const char* Settings::name() const {
    switch (kind) {
        case Kind::Prefork: return "prefork";
        case Kind::Worker: return "worker";
        case Kind::Event: break;
    }
    return "event";
}

std::string Settings::module() const { return std::string("mpm_") + name(); }

Settings::Message Settings::message(Event e) const {
    // Columns: event, worker, prefork.
    static constexpr Message kMessages[][3] = {
        {{"SN00489", "configured -- resuming normal operations"},
         {"SN00292", "configured -- resuming normal operations"},
         {"SN00163", "configured -- resuming normal operations"}},
        {{"SN00491", "shutting down"}, {"SN00295", "shutting down"}, {"SN00169", "shutting down"}},
        {{"SN00492", "caught SIGWINCH, shutting down gracefully"},
         {"SN00296", "caught SIGWINCH, shutting down gracefully"},
         {"SN00170", "caught SIGWINCH, shutting down gracefully"}},
        {{"SN00494", "SIGHUP received.  Attempting to restart"},
         {"SN00298", "SIGHUP received.  Attempting to restart"},
         {"SN00173", "SIGHUP received.  Attempting to restart"}},
        {{"SN00493", "SIGUSR1 received.  Doing graceful restart"},
         {"SN00297", "SIGUSR1 received.  Doing graceful restart"},
         {"SN00171", "Graceful restart requested, doing restart"}},
        {{"SN00484", "server reached MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting"},
         {"SN00286", "server reached MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting"},
         {"SN00161", "server reached MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting"}},
    };
    const int column = kind == Kind::Event ? 0 : kind == Kind::Worker ? 1 : 2;
    return kMessages[static_cast<int>(e)][column];
}

std::string Settings::busy_hint(int spawning, int idle, int active, int stopping) const {
    const std::string head = "server seems busy, (you may need to increase StartServers, ";
    switch (kind) {
        case Kind::Prefork:
            return "SN00162:" + head + "or Min/MaxSpareServers), spawning " + n(spawning) + " children, there are " +
                   n(idle) + " idle, and " + n(active) + " total children";
        case Kind::Worker:
            return "SN00289:" + head + "ThreadsPerChild or Min/MaxSpareThreads), spawning " + n(spawning) +
                   " children, there are around " + n(idle) + " idle threads, and " + n(active) + " total children";
        case Kind::Event: break;
    }
    return "SN00486:" + head + "ThreadsPerChild or Min/MaxSpareThreads), spawning " + n(spawning) +
           " children, there are around " + n(idle) + " idle threads, " + n(active) + " active children, and " +
           n(stopping) + " children that are shutting down";
}

Settings Settings::from(const config::Generation& gen, std::vector<std::string>& warnings) {
    using namespace modules::core;
    Settings s;
    if (gen.mpm == &mpm_prefork_module) {
        s.kind = Kind::Prefork;
    } else if (gen.mpm == &mpm_worker_module) {
        s.kind = Kind::Worker;
    }
    static const MpmConfig kNone;
    const Module& m = gen.mpm != nullptr ? *gen.mpm : mpm_event_module;
    const auto* found = gen.main.module_config.get<MpmConfig>(m.index);
    const MpmConfig& c = found != nullptr ? *found : kNone;
    if (s.kind == Kind::Prefork) {
        fix_prefork(s, c, warnings);
    } else {
        fix_threaded(s, c, warnings);
    }
    s.start_servers = std::min(s.start_servers, s.max_children());
    s.graceful_shutdown_timeout = std::max(0, c.graceful_shutdown_timeout.value_or(0));
    s.async_request_worker_factor = std::max(0, c.async_request_worker_factor.value_or(2));
    s.listen_backlog = c.listen_backlog.value_or(511);
    const auto& core = gen.main_conf<CoreServerConfig>(core_module);
    s.max_connections_per_child = std::max(0, core.max_connections_per_child.value_or(0));
    if (s.kind != Kind::Event) {
        resolve_accept_mutex(s, gen, c, core);
    }
    s.listen_buckets = os::listener_bucket_count(c.listen_cores_buckets_ratio.value_or(0),
                                                 ::sysconf(_SC_NPROCESSORS_ONLN), os::so_reuseport_supported());
    return s;
}

}  // namespace sonora::mpm
