#include "mpm/parent.h"

#include "core/clock.h"
#include "core/log.h"
#include "core/scoreboard.h"
#include "logs/log_writer.h"
#include "modules/core/core_config.h"
#include "mpm/child.h"
#include "mpm/open_logs.h"
#include "mpm/settings.h"
#include "os/accept_mutex.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sonora::mpm {

namespace {



// httpd's MAX_SPAWN_RATE: the exponential ramp stops doubling here.
constexpr int kMaxSpawnRate = 32;
// How long children told to stop get before they are killed.
constexpr std::int64_t kStopGraceMs = 3000;

std::vector<os::ListenSpec> listen_specs(const config::Generation& gen) {
    const auto& core = gen.main_conf<modules::core::CoreServerConfig>(modules::core::core_module);
    std::vector<os::ListenSpec> specs;
    for (const auto& l : core.listeners) {
        specs.push_back(os::ListenSpec{l.host, l.port});
    }
    return specs;
}

void defer_accept(const ListenBuckets& buckets) {
    for (const auto& bucket : buckets) {
        for (const auto& s : bucket) {
            int secs = 30;
            ::setsockopt(s.fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &secs, sizeof secs);
        }
    }
}

void close_buckets(ListenBuckets& buckets) {
    for (auto& b : buckets) {
        os::close_listeners(b);
    }
}

class Parent {
public:
    Parent(std::unique_ptr<config::Generation> gen, ListenBuckets buckets, const ParentOptions& options)
        : gen_(std::move(gen)), buckets_(std::move(buckets)), options_(options) {}

    int run();

private:
    struct Child {
        pid_t pid;
        std::uint32_t slot;
        std::uint32_t generation;
        bool told = false;              // sent the graceful signal
        std::int64_t kill_after_ms = 0;  // 0: no deadline
    };
    enum class Mode { Running, Stopping, GracefulStopping };

    bool start_scoreboard();
    std::optional<std::string> make_accept_mutexes(const Settings& settings, const ListenBuckets& buckets,
                                                   std::vector<std::unique_ptr<os::AcceptMutex>>& out) const;
    std::optional<std::string> reopen_listeners(const config::Generation& next, const Settings& next_settings,
                                                ListenBuckets& out);
    void configured_message() const;
    void log_event(LogLevel level, Settings::Event e, const std::string& prefix = {}) const;
    int stopping_children() const;
    bool spawn();
    void reap();
    void child_gone(const Child& c, int status);
    void maintain();
    void handle_signal(int sig);
    void restart(bool graceful);
    void signal_children(int sig);
    void stop_children(std::int64_t deadline_ms);
    void enforce_deadlines();
    int live_current() const;

    std::unique_ptr<config::Generation> gen_;
    ListenBuckets buckets_;
    // One accept mutex per bucket (null: that bucket is not serialised); the
    // previous generation's stay until its last child is gone.
    std::vector<std::unique_ptr<os::AcceptMutex>> mutexes_;
    std::vector<std::unique_ptr<os::AcceptMutex>> retired_mutexes_;
    ParentOptions options_;
    Settings settings_;
    scoreboard::Scoreboard* board_ = nullptr;
    std::vector<Child> children_;
    std::uint32_t generation_ = 0;
    Mode mode_ = Mode::Running;
    int spawn_rate_ = 1;
    bool max_workers_logged_ = false;
    bool fatal_ = false;
    std::int64_t last_maintenance_ms_ = 0;
    std::int64_t stop_deadline_ms_ = 0;
};

bool Parent::start_scoreboard() {
    board_ = scoreboard::Scoreboard::create(static_cast<std::uint32_t>(settings_.server_limit),
                                            static_cast<std::uint32_t>(settings_.thread_limit));
    if (board_ == nullptr) {
        log_startup(LogLevel::Crit, settings_.module(), "SN00023",
                    std::string("Couldn't create the scoreboard: ") + std::strerror(errno));
        return false;
    }
    scoreboard::set_current(board_);
    auto& g = board_->global();
    g.threads_per_child = static_cast<std::uint32_t>(settings_.threads_per_child);
    g.max_servers = static_cast<std::uint32_t>(settings_.max_children());
    scoreboard::copy_field(g.mpm, sizeof g.mpm, settings_.name());
    g.start_us.store(wall_us(), std::memory_order_relaxed);
    g.restart_us.store(wall_us(), std::memory_order_relaxed);
    return true;
}

// One accept mutex per bucket whose children serialise their waiting
// (prefork and worker, several listeners or SingleListenUnserializedAccept
// Off), created before the children that inherit it; handed to User/Group
// when started as root so that children can still use it after dropping
// privileges.
std::optional<std::string> Parent::make_accept_mutexes(const Settings& settings, const ListenBuckets& buckets,
                                                       std::vector<std::unique_ptr<os::AcceptMutex>>& out) const {
    out.clear();
    const auto& ids = gen_->child_ids;
    for (std::size_t b = 0; b < buckets.size(); ++b) {
        out.emplace_back();
        if (!settings.serializes(buckets[b].size())) {
            continue;
        }
        os::AcceptMutexOptions o;
        o.mechanism = settings.accept_mechanism;
        o.dir = settings.accept_mutex_dir;
        o.instance = static_cast<int>(b);
        o.suffix = std::to_string(::getpid());
        if (auto err = os::AcceptMutex::create(o, out.back())) {
            out.clear();
            return err;
        }
        if (ids && ::geteuid() == 0) {
            if (auto err = out.back()->set_permissions(ids->first, ids->second)) {
                out.clear();
                return err;
            }
        }
    }
    return std::nullopt;
}

// The restart's listeners: reconciled with the running ones (kept where the
// new configuration still names them, so their backlog is not lost). With
// SO_REUSEPORT buckets the set cannot change under running children without
// losing connections queued on a dropped copy, so it must stay as it is.
std::optional<std::string> Parent::reopen_listeners(const config::Generation& next, const Settings& next_settings,
                                                    ListenBuckets& out) {
    const std::vector<os::ListenSpec> specs = listen_specs(next);
    if (specs.empty()) {
        return std::string("no listening sockets available");
    }
    if (buckets_.size() == 1 && next_settings.listen_buckets == 1) {
        std::vector<os::ListenSocket> sockets = buckets_.front();
        if (auto err = os::reconcile_listeners(sockets, specs, next_settings.listen_backlog)) {
            return err;
        }
        out.push_back(std::move(sockets));
        return std::nullopt;
    }
    const std::vector<os::ListenSpec> running = listen_specs(*gen_);
    const bool same_specs = std::equal(specs.begin(), specs.end(), running.begin(), running.end(),
                                       [](const os::ListenSpec& a, const os::ListenSpec& b) {
                                           return a.host == b.host && a.port == b.port;
                                       });
    if (!same_specs || static_cast<std::size_t>(next_settings.listen_buckets) != buckets_.size()) {
        return std::string("Listen and ListenCoresBucketsRatio cannot change on a restart while listener buckets "
                           "are in use: stop and start the server");
    }
    out = buckets_;
    return std::nullopt;
}

void Parent::configured_message() const {
    log_event(LogLevel::Notice, Settings::Event::Configured, "Sonora/" SONORA_VERSION " (Unix) ");
}

void Parent::log_event(LogLevel level, Settings::Event e, const std::string& prefix) const {
    const Settings::Message m = settings_.message(e);
    log_startup(level, settings_.module(), m.id, prefix + m.text);
}

// Children of the running generation told to go that have not gone yet.
int Parent::stopping_children() const {
    int n = 0;
    for (const Child& c : children_) {
        n += c.told ? 1 : 0;
    }
    return n;
}

int Parent::live_current() const {
    int n = 0;
    for (const Child& c : children_) {
        n += c.generation == generation_ && !c.told ? 1 : 0;
    }
    return n;
}

// Forks one child into a free scoreboard slot; false when none is free.
bool Parent::spawn() {
    std::uint32_t slot = 0;
    for (; slot < board_->server_limit(); ++slot) {
        if (board_->process(slot).pid.load(std::memory_order_acquire) == 0 &&
            std::none_of(children_.begin(), children_.end(), [&](const Child& c) { return c.slot == slot; })) {
            break;
        }
    }
    if (slot == board_->server_limit()) {
        return false;
    }
    board_->claim(slot, 0, generation_);
    pid_t pid = ::fork();
    if (pid < 0) {
        log_startup(LogLevel::Error, settings_.module(), "SN00159",
                    std::string("fork: Unable to fork new process: ") + std::strerror(errno));
        board_->release(slot);
        return false;
    }
    if (pid == 0) {
        ::close(options_.signal_fd);
        const std::size_t bucket = slot % buckets_.size();
        run_child(*gen_, settings_, buckets_[bucket], mutexes_[bucket].get(), board_, slot);
    }
    board_->process(slot).pid.store(pid, std::memory_order_release);
    children_.push_back(Child{pid, slot, generation_});
    return true;
}

void Parent::child_gone(const Child& c, int status) {
    board_->release(c.slot);
    if (WIFSIGNALED(status)) {
        // A posixsem holder that died keeps the semaphore: give it back.
        for (auto* list : {&mutexes_, &retired_mutexes_}) {
            for (auto& m : *list) {
                if (m) {
                    m->release_if_held_by(c.pid);
                }
            }
        }
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == kChildFatal) {
        log_startup(LogLevel::Alert, settings_.module(), "SN00102",
                    "Child " + std::to_string(c.pid) + " returned a Fatal error... Sonora is exiting!");
        fatal_ = true;
        return;
    }
    if (WIFSIGNALED(status) && !(c.told || mode_ != Mode::Running) ) {
        const int sig = WTERMSIG(status);
        log_startup(LogLevel::Notice, settings_.module(), "SN00052",
                    "child pid " + std::to_string(c.pid) + " exit signal " + ::strsignal(sig) + " (" +
                        std::to_string(sig) + ")" + (WCOREDUMP(status) ? ", possible coredump" : ""));
    }
}

// Only our own children: the piped loggers are reaped by their writers.
void Parent::reap() {
    bool current_died = false;
    for (std::size_t i = 0; i < children_.size();) {
        int status = 0;
        pid_t r = ::waitpid(children_[i].pid, &status, WNOHANG);
        if (r == children_[i].pid || (r < 0 && errno == ECHILD)) {
            const Child c = children_[i];
            children_.erase(children_.begin() + static_cast<std::ptrdiff_t>(i));
            child_gone(c, status);
            current_died = current_died || (c.generation == generation_ && !c.told);
            continue;
        }
        ++i;
    }
    if (!retired_mutexes_.empty() &&
        std::none_of(children_.begin(), children_.end(), [&](const Child& c) { return c.generation != generation_; })) {
        retired_mutexes_.clear();
    }
    // A crashed (or recycled) child of the running generation is replaced at
    // once, not at the next maintenance pass.
    while (current_died && mode_ == Mode::Running && !fatal_ && live_current() < settings_.start_servers) {
        if (!spawn()) {
            break;
        }
    }
}

// httpd's perform_idle_server_maintenance, once a second.
void Parent::maintain() {
    const bool prefork = settings_.kind == Kind::Prefork;
    int idle = 0;
    int active = 0;
    const Child* idle_child = nullptr;
    for (const Child& c : children_) {
        if (c.generation != generation_ || c.told) {
            continue;
        }
        const scoreboard::ProcessSlot& p = board_->process(c.slot);
        if (p.quiescing.load(std::memory_order_relaxed)) {
            continue;  // recycling itself (MaxConnectionsPerChild)
        }
        ++active;
        const int busy = static_cast<int>(p.busy.load(std::memory_order_relaxed));
        if (prefork) {
            const bool child_idle = p.connections.load(std::memory_order_relaxed) == 0;
            idle += child_idle ? 1 : 0;
            if (child_idle) {
                idle_child = &c;
            }
        } else {
            const int connections = static_cast<int>(p.connections.load(std::memory_order_relaxed));
            int free_threads = std::max(0, settings_.threads_per_child - busy);
            if (settings_.kind == Kind::Event) {
                // An event child's requests rarely hold a thread; what fills
                // it up is connections, up to its cap (see Settings).
                const int cap = settings_.event_connection_cap();
                free_threads = free_threads * std::max(0, cap - connections) / cap;
            }
            idle += free_threads;
            if (busy == 0 && connections == 0) {
                idle_child = &c;
            }
        }
    }
    // Children that are still draining hold slots a new one cannot take.
    const int max_children = settings_.max_children();
    if (idle > settings_.max_spare && active > 1 && idle_child != nullptr) {
        // One at a time, so that a short lull does not empty the pool.
        for (Child& c : children_) {
            if (c.pid == idle_child->pid) {
                ::kill(c.pid, SIGUSR1);
                c.told = true;
                break;
            }
        }
        spawn_rate_ = 1;
        return;
    }
    if (idle >= settings_.min_spare || active >= max_children) {
        if (idle < settings_.min_spare && !max_workers_logged_) {
            log_event(LogLevel::Error, Settings::Event::MaxWorkers);
            max_workers_logged_ = true;
        }
        spawn_rate_ = 1;
        return;
    }
    const int wanted = std::min(spawn_rate_, max_children - active);
    if (spawn_rate_ >= 8) {
        const std::string hint = settings_.busy_hint(wanted, idle, active, stopping_children());
        const auto colon = hint.find(':');
        log_startup(LogLevel::Info, settings_.module(), hint.substr(0, colon), hint.substr(colon + 1));
    }
    for (int i = 0; i < wanted; ++i) {
        if (!spawn()) {
            break;
        }
    }
    spawn_rate_ = std::min(spawn_rate_ * 2, kMaxSpawnRate);
}

void Parent::signal_children(int sig) {
    // A child told anything is no longer part of the running set: its exit
    // is expected, and it is not replaced.
    for (Child& c : children_) {
        ::kill(c.pid, sig);
        c.told = true;
    }
}

// Children past their deadline (GracefulShutdownTimeout, or a stop that was
// ignored) are killed.
void Parent::enforce_deadlines() {
    const std::int64_t now = monotonic_ms();
    for (Child& c : children_) {
        if (c.kill_after_ms != 0 && now >= c.kill_after_ms) {
            ::kill(c.pid, SIGKILL);
            c.kill_after_ms = 0;
        }
    }
}

// Waits (signals aside) until every child is gone, killing stragglers at `deadline_ms`.
void Parent::stop_children(std::int64_t deadline_ms) {
    for (Child& c : children_) {
        c.kill_after_ms = deadline_ms;
    }
    while (!children_.empty()) {
        reap();
        if (children_.empty()) {
            break;
        }
        enforce_deadlines();
        ::usleep(10'000);
    }
}

void Parent::restart(bool graceful) {
    std::string error;
    std::unique_ptr<config::Generation> next = options_.reload(error);
    if (!next) {
        log_startup(LogLevel::Error, settings_.module(), "SN00534",
                    "configuration error on restart, continuing with the running configuration: " + error);
        return;
    }
    std::vector<std::string> warnings;
    Settings next_settings = Settings::from(*next, warnings);
    if (next_settings.kind != settings_.kind) {
        log_startup(LogLevel::Error, settings_.module(), "SN00534",
                    std::string("the MPM cannot change on a restart (") + settings_.name() + " is running, " +
                        next_settings.name() + " configured): stop and start the server; continuing with the "
                        "running configuration");
        return;
    }
    // Logs first: they can be given back; the listeners' reconciliation closes
    // what the new configuration dropped.
    logs::access_log_writers().begin_restart();
    if (auto err = open_logs(*next, "sonora")) {
        logs::access_log_writers().abort_restart();
        log_startup(LogLevel::Error, settings_.module(), "SN00015",
                    *err + "; continuing with the running configuration");
        return;
    }
    ListenBuckets buckets;
    if (auto err = reopen_listeners(*next, next_settings, buckets)) {
        logs::access_log_writers().abort_restart();
        log_startup(LogLevel::Error, settings_.module(), "SN00072", *err + "; continuing with the running configuration");
        return;
    }
    // The running mutexes serve on when nothing about them changed; new ones
    // otherwise, the old ones kept until the old children are gone.
    const bool same_mutexes = next_settings.accept_mechanism == settings_.accept_mechanism &&
                              next_settings.accept_mutex_dir == settings_.accept_mutex_dir &&
                              next_settings.single_listen_unserialized == settings_.single_listen_unserialized &&
                              buckets.size() == buckets_.size() &&
                              std::equal(buckets.begin(), buckets.end(), buckets_.begin(),
                                         [](const auto& a, const auto& b) { return a.size() == b.size(); });
    std::vector<std::unique_ptr<os::AcceptMutex>> mutexes;
    if (!same_mutexes) {
        if (auto err = make_accept_mutexes(next_settings, buckets, mutexes)) {
            logs::access_log_writers().abort_restart();
            log_startup(LogLevel::Emerg, settings_.module(), "SN00143",
                        *err + "; continuing with the running configuration");
            return;
        }
    }
    logs::access_log_writers().end_restart();
    defer_accept(buckets);
    if (graceful) {
        signal_children(SIGUSR1);
        if (settings_.graceful_shutdown_timeout > 0) {
            for (Child& c : children_) {
                c.kill_after_ms = monotonic_ms() + settings_.graceful_shutdown_timeout * 1000;
            }
        }
    } else {
        signal_children(SIGTERM);
        stop_children(monotonic_ms() + kStopGraceMs);
    }
    // The scoreboard's shape is fixed at the first start, as in httpd.
    if (next_settings.server_limit != settings_.server_limit) {
        log_startup(LogLevel::Warn, settings_.module(), "SN00520",
                    "WARNING: changing ServerLimit to " + std::to_string(next_settings.server_limit) + " from original " +
                        std::to_string(settings_.server_limit) + " not allowed during restart");
        next_settings.server_limit = settings_.server_limit;
    }
    if (next_settings.thread_limit != settings_.thread_limit) {
        log_startup(LogLevel::Warn, settings_.module(), "SN00521",
                    "WARNING: changing ThreadLimit to " + std::to_string(next_settings.thread_limit) + " from original " +
                        std::to_string(settings_.thread_limit) + " not allowed during restart");
        next_settings.thread_limit = settings_.thread_limit;
        next_settings.threads_per_child = std::min(next_settings.threads_per_child, settings_.thread_limit);
    }
    for (const auto& w : warnings) {
        log_startup(LogLevel::Warn, settings_.module(), w.substr(0, w.find(':')), w.substr(w.find(':') + 2));
    }
    // Sockets only the old configuration named are already closed here; the
    // old children keep their own copies until they exit.
    buckets_ = std::move(buckets);
    if (!same_mutexes) {
        for (auto& m : mutexes_) {
            retired_mutexes_.push_back(std::move(m));
        }
        mutexes_ = std::move(mutexes);
    }
    // The old children have their own copy of the old configuration.
    gen_ = std::move(next);
    settings_ = next_settings;
    ++generation_;
    spawn_rate_ = 1;
    max_workers_logged_ = false;
    auto& g = board_->global();
    g.generation.store(generation_, std::memory_order_relaxed);
    g.restarts.fetch_add(1, std::memory_order_relaxed);
    g.restart_us.store(wall_us(), std::memory_order_relaxed);
    g.threads_per_child = static_cast<std::uint32_t>(settings_.threads_per_child);
    g.max_servers = static_cast<std::uint32_t>(settings_.max_children());
    configured_message();
    for (int i = 0; i < settings_.start_servers; ++i) {
        if (!spawn()) {
            break;
        }
    }
}

void Parent::handle_signal(int sig) {
    switch (sig) {
        case SIGCHLD:
            logs::access_log_writers().tick(monotonic_ms());
            reap();
            break;
        case SIGHUP:
            log_event(LogLevel::Notice, Settings::Event::Restart);
            restart(false);
            break;
        case SIGUSR1:
            log_event(LogLevel::Notice, Settings::Event::GracefulRestart);
            restart(true);
            break;
        case SIGWINCH:
            if (mode_ == Mode::Running) {
                log_event(LogLevel::Notice, Settings::Event::GracefulStop);
                mode_ = Mode::GracefulStopping;
                signal_children(SIGWINCH);
                // New connections are refused from now on, not left in a backlog no one reads.
                close_buckets(buckets_);
                if (settings_.graceful_shutdown_timeout > 0) {
                    stop_deadline_ms_ = monotonic_ms() + settings_.graceful_shutdown_timeout * 1000;
                }
            }
            break;
        default:  // TERM, INT
            log_event(LogLevel::Notice, Settings::Event::Stop, sig == SIGINT ? "caught SIGINT, " : "caught SIGTERM, ");
            mode_ = Mode::Stopping;
            break;
    }
}

int Parent::run() {
    std::vector<std::string> warnings;
    settings_ = Settings::from(*gen_, warnings);
    if (!start_scoreboard()) {
        return 1;
    }
    if (auto err = make_accept_mutexes(settings_, buckets_, mutexes_)) {
        log_startup(LogLevel::Emerg, settings_.module(), "SN00143", *err);
        scoreboard::Scoreboard::destroy(board_);
        return 1;
    }
    configured_message();
    for (int i = 0; i < settings_.start_servers; ++i) {
        if (!spawn()) {
            break;
        }
    }
    last_maintenance_ms_ = monotonic_ms();
    while (mode_ != Mode::Stopping && !fatal_) {
        if (mode_ == Mode::GracefulStopping) {
            reap();
            if (children_.empty()) {
                break;
            }
            if (stop_deadline_ms_ != 0 && monotonic_ms() >= stop_deadline_ms_) {
                break;  // GracefulShutdownTimeout: the rest are stopped below
            }
        }
        pollfd pfd{options_.signal_fd, POLLIN, 0};
        const std::int64_t wait = std::max<std::int64_t>(0, last_maintenance_ms_ + 1000 - monotonic_ms());
        int n = ::poll(&pfd, 1, static_cast<int>(std::min<std::int64_t>(wait, 200)));
        if (n > 0) {
            signalfd_siginfo info{};
            while (::read(options_.signal_fd, &info, sizeof info) == sizeof info) {
                handle_signal(static_cast<int>(info.ssi_signo));
            }
        }
        enforce_deadlines();
        if (monotonic_ms() - last_maintenance_ms_ >= 1000) {
            last_maintenance_ms_ = monotonic_ms();
            reap();
            logs::access_log_writers().tick(monotonic_ms());
            if (mode_ == Mode::Running && !fatal_) {
                maintain();
            }
        }
    }
    signal_children(SIGTERM);
    stop_children(monotonic_ms() + kStopGraceMs);
    close_buckets(buckets_);
    mutexes_.clear();
    retired_mutexes_.clear();
    scoreboard::Scoreboard::destroy(board_);
    return fatal_ ? 1 : 0;
}

}  // namespace

std::optional<std::string> open_buckets(const std::vector<os::ListenSpec>& specs, int count, int backlog,
                                        ListenBuckets& out) {
    out.clear();
    std::optional<std::string> err;
    if (count > 1) {
        err = os::open_listener_buckets(specs, backlog, count, out);
    } else {
        out.emplace_back();
        err = os::open_listeners(specs, backlog, out.back());
    }
    if (err) {
        out.clear();
        return err;
    }
    defer_accept(out);
    return std::nullopt;
}

int run_parent(std::unique_ptr<config::Generation> gen, ListenBuckets buckets, const ParentOptions& options) {
    Parent parent(std::move(gen), std::move(buckets), options);
    return parent.run();
}

}  // namespace sonora::mpm
