// The MPM modules' directives (httpd's mpm_common.c plus each MPM's own).
// The process model itself comes with the MPM issue; here they are read and
// checked so that stock configurations load.

#include "modules/core/mpm.h"

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

const DirectiveSpec kWorkerDirectives[] = {SONORA_MPM_COMMON, SONORA_MPM_THREADED};

const DirectiveSpec kPreforkDirectives[] = {
    SONORA_MPM_COMMON,
    {"MinSpareServers", ArgForm::Take1, kWhere, kGlobal, ConfLevel::Server,
     set_int<&MpmConfig::min_spare_servers>, "Fewest idle child processes kept"},
    {"MaxSpareServers", ArgForm::Take1, kWhere, kGlobal, ConfLevel::Server,
     set_int<&MpmConfig::max_spare_servers>, "Most idle child processes kept"},
};

#undef SONORA_MPM_COMMON
#undef SONORA_MPM_THREADED

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
