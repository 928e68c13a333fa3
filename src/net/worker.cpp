#include "net/worker.h"

#include "modules/core/core_config.h"
#include "modules/core/http_core.h"
#include "net/connection.h"
#include "core/log.h"
#include "logs/log_writer.h"
#include "os/reaper.h"

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

namespace sonora::net {

namespace {

std::string server_header_for(const std::optional<std::string>& tokens) {
    const std::string version = SONORA_VERSION;
    std::string t = tokens.value_or("Full");
    if (t == "Prod") {
        return "Sonora";
    }
    if (t == "Major") {
        return "Sonora/" + version.substr(0, version.find('.'));
    }
    if (t == "Minor") {
        return "Sonora/" + version.substr(0, version.rfind('.'));
    }
    if (t == "Min") {
        return "Sonora/" + version;
    }
    return "Sonora/" + version + " (Unix)";
}

}  // namespace

WorkerSettings WorkerSettings::from(const config::Generation& gen) {
    WorkerSettings s;
    const auto& core = gen.main_conf<modules::core::CoreServerConfig>(modules::core::core_module);
    const auto& http = gen.main_conf<modules::core::HttpCoreConfig>(modules::core::http_module);
    s.timeout_ms = core.timeout_ms.value_or(60'000);
    s.keepalive = http.keep_alive.value_or(true);
    s.keepalive_timeout_ms = http.keep_alive_timeout_ms.value_or(5'000);
    s.max_keepalive_requests = static_cast<unsigned>(http.max_keep_alive_requests.value_or(100));
    s.limit_request_line = static_cast<std::size_t>(core.limit_request_line.value_or(8190));
    s.limit_request_fieldsize = static_cast<std::size_t>(core.limit_request_fieldsize.value_or(8190));
    s.limit_request_fields = static_cast<std::size_t>(core.limit_request_fields.value_or(100));
    s.server_header = server_header_for(core.server_tokens);
    s.need_local_address = gen.shows_local_address;
    s.see_request_tail = core.see_request_tail.value_or(false);
    return s;
}

class Worker::Acceptor final : public event::Handler {
public:
    Acceptor(Worker& w, const os::ListenSocket& l) : worker_(w), listener_(l) {}
    void on_event(std::uint32_t) override { worker_.accept_from(listener_); }

private:
    Worker& worker_;
    const os::ListenSocket& listener_;
};

// The signalfd. In a single process (-X): TERM, INT and WINCH stop it; HUP
// and USR1 (restarts, which need a parent) are reported and ignored. In a
// child of the MPM's parent: TERM stops at once (stop, restart), USR1 and
// WINCH drain (graceful restart and stop), HUP is the parent's business.
// CHLD means a piped logger may have died and is restarted at once.
class Worker::StopWatcher final : public event::Handler {
public:
    StopWatcher(Worker& w, int fd) : worker_(w), fd_(fd) {}
    void on_event(std::uint32_t) override {
        signalfd_siginfo info{};
        while (::read(fd_, &info, sizeof info) == sizeof info) {
            const int sig = static_cast<int>(info.ssi_signo);
            if (sig == SIGCHLD) {
                worker_.tick_logs(true);
                continue;
            }
            if (worker_.role_.child) {
                if (sig == SIGUSR1 || sig == SIGWINCH) {
                    worker_.drain();
                } else if (sig == SIGTERM || sig == SIGINT) {
                    worker_.stop_signal_ = sig;
                    worker_.stop();
                }
                continue;
            }
            if (sig == SIGHUP || sig == SIGUSR1) {
                log_startup(LogLevel::Warn, "mpm_event", "SN00493",
                            std::string(sig == SIGHUP ? "SIGHUP" : "SIGUSR1") +
                                " received: a single process (-X) cannot restart, continuing with the current "
                                "configuration");
                continue;
            }
            worker_.stop_signal_ = sig;
            worker_.stop();
        }
    }

private:
    Worker& worker_;
    int fd_;
};

// Wakes the loop for requests made from another thread.
class Worker::RemoteControl final : public event::Handler {
public:
    explicit RemoteControl(Worker& w) : worker_(w), fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
    ~RemoteControl() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    int fd() const { return fd_; }
    void wake() {
        const std::uint64_t one = 1;
        [[maybe_unused]] ssize_t n = ::write(fd_, &one, sizeof one);
    }
    void on_event(std::uint32_t) override {
        std::uint64_t count = 0;
        [[maybe_unused]] ssize_t n = ::read(fd_, &count, sizeof count);
        if (worker_.drain_requested_.load(std::memory_order_acquire)) {
            worker_.drain();
        }
        if (worker_.stop_requested_.load(std::memory_order_acquire)) {
            worker_.stop();
        }
    }

private:
    Worker& worker_;
    int fd_;
};

// The directory walk's inotify queue (request::FsVerdicts): read first thing
// in any turn where it has events, so that the walks of the turn's requests
// need not read it themselves.
class Worker::FsEvents final : public event::Handler {
public:
    explicit FsEvents(request::FsVerdicts& fs) : fs_(fs) {}
    void on_event(std::uint32_t) override { fs_.drain(); }

private:
    request::FsVerdicts& fs_;
};

Worker::Worker(const config::Generation& gen, std::vector<os::ListenSocket> listeners, WorkerRole role)
    : settings_(WorkerSettings::from(gen)),
      listeners_(std::move(listeners)),
      walker_(gen),
      files_(settings_.file_cache_ttl_ms),
      pipeline_(gen),
      ctx_{gen, walker_, files_, 0, settings_.server_header, &pipeline_},
      keepalive_timers_(settings_.keepalive_timeout_ms),
      linger_timers_(2'000),
      role_(role) {
    update_wall_clock();
    collect_read_timeouts(gen);
    process_slot_ = role_.board.process();
    if (role_.thread_slot >= 0) {
        if (role_.board.active()) {
            free_slots_.push_back(role_.board.worker(static_cast<std::uint32_t>(role_.thread_slot)));
        }
    } else {
        // Slots are handed out from the end, so the first ones fill first.
        for (std::uint32_t t = role_.board.threads(); t > 0; --t) {
            free_slots_.push_back(role_.board.worker(t - 1));
        }
    }
    for (const os::ListenSocket& l : listeners_) {
        acceptors_.push_back(std::make_unique<Acceptor>(*this, l));
        loop_.add(l.fd, EPOLLIN | EPOLLEXCLUSIVE, acceptors_.back().get());
    }
    fs_events_ = std::make_unique<FsEvents>(walker_.fs());
    walker_.fs().use_event_loop({[this](int fd) { return loop_.add_first(fd, EPOLLIN, fs_events_.get()); },
                                 &loop_.turns()});
}

Worker::~Worker() {
    recycle_retired();
}

void Worker::enable_remote_control() {
    remote_ = std::make_unique<RemoteControl>(*this);
    loop_.add(remote_->fd(), EPOLLIN, remote_.get());
}

void Worker::request_stop() {
    stop_requested_.store(true, std::memory_order_release);
    remote_->wake();
}

void Worker::request_drain() {
    drain_requested_.store(true, std::memory_order_release);
    remote_->wake();
}

void Worker::watch_stop_fd(int fd) {
    stop_watcher_ = std::make_unique<StopWatcher>(*this, fd);
    loop_.add(fd, EPOLLIN, stop_watcher_.get());
}

void Worker::update_wall_clock() {
    timespec ts{};
    // The precise clock (vDSO, no system call): %D and %{usec}t need better
    // than the coarse clock's few milliseconds.
    ::clock_gettime(CLOCK_REALTIME, &ts);
    wall_s_ = ts.tv_sec;
    wall_us_ = static_cast<std::int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

std::string_view Worker::date() { return date_cache_.get(wall_s_); }

scoreboard::WorkerSlot* Worker::acquire_slot() {
    if (free_slots_.empty()) {
        return nullptr;
    }
    scoreboard::WorkerSlot* slot = free_slots_.back();
    free_slots_.pop_back();
    slot->state.store(static_cast<char>(scoreboard::State::Reading), std::memory_order_relaxed);
    process_slot_->busy.fetch_add(1, std::memory_order_relaxed);
    return slot;
}

void Worker::release_slot(scoreboard::WorkerSlot* slot) {
    slot->state.store(static_cast<char>(draining_ ? scoreboard::State::Graceful : scoreboard::State::Ready),
                      std::memory_order_relaxed);
    process_slot_->busy.fetch_sub(1, std::memory_order_relaxed);
    free_slots_.push_back(slot);
}

// Listening sockets leave the epoll set while the worker may not take more
// (prefork's one connection, a drain); EPOLLEXCLUSIVE cannot be modified, so
// they are removed and added again.
void Worker::set_accepting(bool on) {
    if (on == accepting_ || (on && draining_)) {
        return;
    }
    accepting_ = on;
    for (std::size_t i = 0; i < listeners_.size(); ++i) {
        if (on) {
            loop_.add(listeners_[i].fd, EPOLLIN | EPOLLEXCLUSIVE, acceptors_[i].get());
        } else {
            loop_.remove(listeners_[i].fd);
        }
    }
    if (process_slot_ != nullptr) {
        process_slot_->not_accepting.store(!on, std::memory_order_relaxed);
    }
}

void Worker::drain() {
    if (draining_) {
        return;
    }
    set_accepting(false);
    draining_ = true;
    if (process_slot_ != nullptr) {
        process_slot_->quiescing.store(true, std::memory_order_relaxed);
        for (scoreboard::WorkerSlot* slot : free_slots_) {
            slot->state.store(static_cast<char>(scoreboard::State::Graceful), std::memory_order_relaxed);
        }
    }
}

void Worker::accept_from(const os::ListenSocket& l) {
    // Bounded so that one busy listener cannot starve the connections.
    for (int i = 0; i < 64 && accepting_; ++i) {
        sockaddr_storage peer{};
        socklen_t len = sizeof peer;
        int fd = ::accept4(l.fd, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            // EAGAIN: drained. EMFILE/ENFILE/ENOBUFS: try again on the next event.
            return;
        }
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        ++accepted_;
        if (process_slot_ != nullptr) {
            process_slot_->accepted.fetch_add(1, std::memory_order_relaxed);
        }
        open_connection(fd, peer, l.port, l.specific_address() ? &l.addr : nullptr);
        if (role_.max_accepts != 0 && accepted_ >= role_.max_accepts) {
            drain();  // MaxConnectionsPerChild: the parent starts a fresh child
        } else if (role_.max_open != 0 && open_connections_ >= role_.max_open) {
            set_accepting(false);
        }
    }
}

void Worker::open_connection(int fd, const sockaddr_storage& peer, int local_port,
                             const sockaddr_storage* local) {
    Connection* c;
    if (!free_.empty()) {
        c = free_.back();
        free_.pop_back();
    } else {
        owned_.push_back(std::make_unique<Connection>(*this));
        c = owned_.back().get();
    }
    ++open_connections_;
    if (process_slot_ != nullptr) {
        process_slot_->connections.fetch_add(1, std::memory_order_relaxed);
    }
    // It reads at once, perhaps bytes that came after this turn's wait.
    walker_.fs().connection_opened();
    c->open(fd, peer, local_port, local);
}

// Each server's request read limits, asked of the modules once (mod_reqtimeout).
void Worker::collect_read_timeouts(const config::Generation& gen) {
    auto collect = [&](const Server& server) {
        ReadTimeouts t;
        bool any = false;
        for (const auto& loaded : gen.modules.loaded()) {
            if (loaded.module->read_timeouts != nullptr) {
                loaded.module->read_timeouts(server, t);
                any = true;
            }
        }
        if (any && (t.header.enabled() || t.body.enabled())) {
            read_timeouts_.emplace(&server, t);
        }
    };
    collect(gen.main);
    for (const auto& vhost : gen.vhosts) {
        collect(*vhost);
    }
}

const ReadTimeouts* Worker::read_timeouts(const Server& server) const {
    if (read_timeouts_.empty()) {
        return nullptr;
    }
    auto it = read_timeouts_.find(&server);
    return it == read_timeouts_.end() ? nullptr : &it->second;
}

std::unique_ptr<ConnectionBuffers> Worker::take_buffers() {
    if (spare_buffers_.empty()) {
        return std::make_unique<ConnectionBuffers>(settings_);
    }
    std::unique_ptr<ConnectionBuffers> b = std::move(spare_buffers_.back());
    spare_buffers_.pop_back();
    return b;
}

void Worker::give_back(std::unique_ptr<ConnectionBuffers> b) {
    // Enough spares for the bursts of a busy loop; more go back to the heap,
    // so that a crowd of clients that went idle does not pin their buffers.
    constexpr std::size_t kMaxSpare = 64;
    b->reset();
    if (spare_buffers_.size() < kMaxSpare) {
        spare_buffers_.push_back(std::move(b));
    }
}

void Worker::retire(Connection* c) {
    retired_.push_back(c);
}

void Worker::recycle_retired() {
    for (Connection* c : retired_) {
        --open_connections_;
        if (process_slot_ != nullptr) {
            process_slot_->connections.fetch_sub(1, std::memory_order_relaxed);
        }
        free_.push_back(c);
    }
    retired_.clear();
    if (role_.max_open != 0 && open_connections_ < role_.max_open) {
        set_accepting(true);
    }
}

void Worker::expire_timers() {
    const std::int64_t now = loop_.now_ms();
    while (event::TimerNode* n = read_deadlines_.front()) {
        if (n->deadline_ms > now) {
            break;
        }
        read_deadlines_.cancel(*n);
        static_cast<Connection*>(n->owner)->on_timeout();
    }
    for (event::TimerList* list : {&keepalive_timers_, &linger_timers_}) {
        while (event::TimerNode* n = list->front()) {
            if (n->deadline_ms > now) {
                break;
            }
            list->cancel(*n);
            auto* c = static_cast<Connection*>(n->owner);
            c->on_timeout();
        }
    }
}

// Buffered access-log lines leave within about a second; piped loggers that
// died are started again.
void Worker::tick_logs(bool now) {
    const std::int64_t ms = loop_.now_ms();
    if (!now && ms - last_log_tick_ms_ < 250) {
        return;
    }
    last_log_tick_ms_ = ms;
    update_wall_clock();
    logs::access_log_writers().tick(wall_us_ / 1000);
}

void Worker::run_until_idle() {
    recycle_retired();  // a connection may have ended within open_connection()
    while (!stopping_ && open_connections_ > 0) {
        turn();
    }
}

void Worker::run() {
    while (!stopping_ && !(draining_ && open_connections_ == 0)) {
        turn();
    }
    logs::access_log_writers().flush_all();
}

void Worker::turn() {
    std::int64_t wait = 1000;
    for (event::TimerNode* n : {read_deadlines_.front(), keepalive_timers_.front(), linger_timers_.front()}) {
        if (n != nullptr) {
            wait = std::min<std::int64_t>(wait, std::max<std::int64_t>(0, n->deadline_ms - loop_.now_ms()));
        }
    }
    if (os::children_pending()) {
        wait = std::min<std::int64_t>(wait, 100);  // scripts to reap or kill (os/reaper.h)
    }
    loop_.run_once(static_cast<int>(wait) + 1);
    if (os::children_pending()) {
        os::reap_children(loop_.now_ms());
    }
    expire_timers();
    recycle_retired();
    tick_logs(false);
}

}  // namespace sonora::net
