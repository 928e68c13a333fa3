// The MPM modules' directives (httpd's mpm_common.c plus each MPM's own),
// read and checked here; src/mpm/settings.cpp turns them into the numbers the
// processes run by.

#include "modules/core/mpm.h"

#include "core/strings.h"
#include "os/accept_mutex.h"

namespace sonora::modules::core {

namespace {

constexpr unsigned kWhere = kRsrcConf;
constexpr unsigned kGlobal = kGlobalOnly;

#define SONORA_MPM_COMMON                                                                                     \
    {"ListenBacklog", ArgForm::Take1, kWhere, kGlobal, ConfLevel::Server,                                   \
     set_int<&MpmConfig::listen_backlog, 1>, "Length of the queue of pending connections"},                  \
    {"ListenCoresBucketsRatio", ArgForm::Take1, kWhere, kGlobal, ConfLevel::Server,                          \
     set_int<&MpmConfig::listen_cores_buckets_ratio>, "CPU cores per listener bucket (SO_REUSEPORT)"},       \
    {"SendBufferSize", ArgForm::Take1, kWhere, kGlobal, ConfLevel::Server,                                   \
     set_int<&MpmConfig::send_buffer_size>, "TCP send buffer size in bytes (0 = system default)"},           \
    {"ReceiveBufferSize", ArgForm::Take1, kWhere, kGlobal, ConfLevel::Server,                                \
     set_int<&MpmConfig::receive_buffer_size>, "TCP receive buffer size in bytes (0 = system default)"},     \
    {"StartServers", ArgForm::Take1, kWhere, kGlobal, ConfLevel::Server, set_int<&MpmConfig::start_servers>, \
     "Child processes started at startup"},                                                                  \
    {"ServerLimit", ArgForm::Take1, kWhere, kGlobal, ConfLevel::Server, set_int<&MpmConfig::server_limit, 1>,\
     "Upper bound of child processes"},                                                                      \
    {"MaxRequestWorkers", ArgForm::Take1, kWhere, kGlobal, ConfLevel::Server,                                \
     set_int<&MpmConfig::max_request_workers, 1>, "Connections served at once"},                             \
    {"MaxClients", ArgForm::Take1, kWhere, kGlobal, ConfLevel::Server,                                       \
     set_int<&MpmConfig::max_request_workers, 1>, "Old name of MaxRequestWorkers"},                          \
    {"GracefulShutdownTimeout", ArgForm::Take1, kWhere, kGlobal, ConfLevel::Server,                          \
     set_int<&MpmConfig::graceful_shutdown_timeout>, "Seconds a graceful stop waits for busy children"}

CmdResult set_accept_mutex(Cmd& cmd, std::span<const std::string> a) {
    if (!os::parse_mutex_mechanism(a[0])) {
        return "Invalid AcceptMutex argument " + a[0] +
               " (the mechanisms are: default, flock, fcntl, sysvsem, posixsem, pthread, none)";
    }
    cmd.conf<MpmConfig>().accept_mutex = to_lower(a[0]);
    return std::nullopt;
}

#define SONORA_MPM_SERIALIZED                                                                                 \
    {"AcceptMutex", ArgForm::Take1, kWhere, kGlobal, ConfLevel::Server, set_accept_mutex,                    \
     "Accept serialization mechanism (httpd 2.2's name for Mutex ... mpm-accept)"},                           \
    {"LockFile", ArgForm::Take1, kWhere, kGlobal, ConfLevel::Server, set_path<&MpmConfig::lock_file>,         \
     "The accept mutex's lock file (httpd 2.2); its directory holds the lock files"},                         \
    {"SingleListenUnserializedAccept", ArgForm::Flag, kWhere, kGlobal, ConfLevel::Server,                    \
     set_flag<&MpmConfig::single_listen_unserialized_accept>,                                                \
     "On (default): with a single listener, no accept mutex; Off: serialize anyway"}

#define SONORA_MPM_THREADED                                                                                   \
    {"MinSpareThreads", ArgForm::Take1, kWhere, kGlobal, ConfLevel::Server,                                  \
     set_int<&MpmConfig::min_spare_threads>, "Fewest idle worker threads kept"},                             \
    {"MaxSpareThreads", ArgForm::Take1, kWhere, kGlobal, ConfLevel::Server,                                  \
     set_int<&MpmConfig::max_spare_threads>, "Most idle worker threads kept"},                               \
    {"ThreadsPerChild", ArgForm::Take1, kWhere, kGlobal, ConfLevel::Server,                                  \
     set_int<&MpmConfig::threads_per_child, 1>, "Worker threads per child process"},                         \
    {"ThreadLimit", ArgForm::Take1, kWhere, kGlobal, ConfLevel::Server, set_int<&MpmConfig::thread_limit, 1>,\
     "Upper bound of ThreadsPerChild"}

const DirectiveSpec kEventDirectives[] = {
    SONORA_MPM_COMMON,
    SONORA_MPM_THREADED,
    {"AsyncRequestWorkerFactor", ArgForm::Take1, kWhere, kGlobal, ConfLevel::Server,
     set_int<&MpmConfig::async_request_worker_factor>, "Connections per idle worker an event child accepts"},
};

const DirectiveSpec kWorkerDirectives[] = {SONORA_MPM_COMMON, SONORA_MPM_THREADED, SONORA_MPM_SERIALIZED};

const DirectiveSpec kPreforkDirectives[] = {
    SONORA_MPM_COMMON,
    SONORA_MPM_SERIALIZED,
    {"MinSpareServers", ArgForm::Take1, kWhere, kGlobal, ConfLevel::Server,
     set_int<&MpmConfig::min_spare_servers>, "Fewest idle child processes kept"},
    {"MaxSpareServers", ArgForm::Take1, kWhere, kGlobal, ConfLevel::Server,
     set_int<&MpmConfig::max_spare_servers>, "Most idle child processes kept"},
};

#undef SONORA_MPM_COMMON
#undef SONORA_MPM_THREADED
#undef SONORA_MPM_SERIALIZED

}  // namespace

Module mpm_event_module{
    .name = "mpm_event_module",
    .source = "event.c",
    .directives = kEventDirectives,
    .server_config = config_ops<MpmConfig>(),
};

Module mpm_worker_module{
    .name = "mpm_worker_module",
    .source = "worker.c",
    .directives = kWorkerDirectives,
    .server_config = config_ops<MpmConfig>(),
};

Module mpm_prefork_module{
    .name = "mpm_prefork_module",
    .source = "prefork.c",
    .directives = kPreforkDirectives,
    .server_config = config_ops<MpmConfig>(),
};

bool is_mpm(const Module& m) {
    return &m == &mpm_event_module || &m == &mpm_worker_module || &m == &mpm_prefork_module;
}

}  // namespace sonora::modules::core
