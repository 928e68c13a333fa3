#include "mpm/threaded_child.h"

#include "core/clock.h"
#include "core/log.h"
#include "logs/log_writer.h"
#include "mpm/accept_loop.h"

#include <poll.h>
#include <signal.h>
#include <linux/futex.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <thread>

namespace sonora::mpm {

namespace {

constexpr int kWaiting = -1;  // a worker's hand-off slot: nothing yet
constexpr int kStop = -2;     // ... : leave

// A worker sleeps on its hand-off slot with the futex itself: libstdc++'s
// std::atomic::wait spins and yields first, which costs the listener's CPU
// (three sched_yield per connection measured) on a busy machine.
void sleep_while(std::atomic<int>& slot, int value) {
    ::syscall(SYS_futex, reinterpret_cast<int*>(&slot), FUTEX_WAIT_PRIVATE, value, nullptr, nullptr, 0);
}

void wake_one(std::atomic<int>& slot) {
    ::syscall(SYS_futex, reinterpret_cast<int*>(&slot), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
}

class ThreadedChild {
public:
    ThreadedChild(const config::Generation& gen, const Settings& settings,
                  const std::vector<os::ListenSocket>& sockets, int signal_fd, net::WorkerRole role,
                  os::AcceptMutex* mutex)
        : gen_(gen), settings_(settings), signal_fd_(signal_fd), role_(role),
          accept_(sockets, signal_fd, mutex),
          idle_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
    ~ThreadedChild() {
        if (idle_fd_ >= 0) {
            ::close(idle_fd_);
        }
    }

    int run();

private:
    struct Thread {
        std::unique_ptr<net::Worker> worker;
        std::atomic<int> handoff{kWaiting};
        std::atomic<bool> idle{false};
        sockaddr_storage peer{};
        const os::ListenSocket* listener = nullptr;
        std::thread thread;
    };

    void serve(Thread& t);
    void became_idle(Thread& t);
    bool hand_off(int fd, const sockaddr_storage& peer, const os::ListenSocket* listener);
    void read_signals();
    void tick_logs();
    void begin_drain();
    void stop_all();

    const config::Generation& gen_;
    const Settings& settings_;
    int signal_fd_;
    net::WorkerRole role_;
    AcceptLoop accept_;
    int idle_fd_;
    std::vector<std::unique_ptr<Thread>> threads_;
    std::atomic<int> idle_count_{0};
    std::uint64_t accepted_ = 0;
    bool draining_ = false;
    bool stopping_ = false;
    bool fatal_ = false;
    int stop_signal_ = SIGTERM;
};

void ThreadedChild::became_idle(Thread& t) {
    t.idle.store(true, std::memory_order_release);
    if (idle_count_.fetch_add(1, std::memory_order_acq_rel) == 0) {
        const std::uint64_t one = 1;
        [[maybe_unused]] ssize_t n = ::write(idle_fd_, &one, sizeof one);  // the listener may be waiting for us
    }
}

// A worker thread: wait for a connection, serve it to its end, again.
void ThreadedChild::serve(Thread& t) {
    net::Worker& w = *t.worker;
    for (;;) {
        became_idle(t);
        int fd = kWaiting;
        for (;;) {
            fd = t.handoff.load(std::memory_order_acquire);
            if (fd == kWaiting) {
                sleep_while(t.handoff, kWaiting);
                continue;
            }
            if (fd == kStop || t.handoff.compare_exchange_strong(fd, kWaiting, std::memory_order_acq_rel)) {
                break;
            }
        }
        if (fd == kStop) {
            break;
        }
        const os::ListenSocket& l = *t.listener;
        w.open_connection(fd, t.peer, l.port, l.specific_address() ? &l.addr : nullptr);
        w.run_until_idle();
        if (w.stopping()) {
            break;
        }
    }
}

// Gives the connection to an idle worker (the listener only accepts when
// one is idle, so one is found).
bool ThreadedChild::hand_off(int fd, const sockaddr_storage& peer, const os::ListenSocket* listener) {
    for (auto& t : threads_) {
        bool idle = true;
        if (!t->idle.compare_exchange_strong(idle, false, std::memory_order_acq_rel)) {
            continue;
        }
        idle_count_.fetch_sub(1, std::memory_order_acq_rel);
        t->peer = peer;
        t->listener = listener;
        t->handoff.store(fd, std::memory_order_release);
        wake_one(t->handoff);
        return true;
    }
    return false;
}

void ThreadedChild::begin_drain() {
    if (draining_) {
        return;
    }
    draining_ = true;
    if (auto* p = role_.board.process()) {
        p->quiescing.store(true, std::memory_order_relaxed);
    }
    for (auto& t : threads_) {
        t->worker->request_drain();
    }
}

void ThreadedChild::stop_all() {
    for (auto& t : threads_) {
        t->worker->request_stop();
        t->handoff.store(kStop, std::memory_order_release);
        wake_one(t->handoff);
    }
}

// Buffered log lines leave within about a second (the worker threads of
// this MPM do not tick the writers: the listener does, for all of them).
void ThreadedChild::tick_logs() {
    logs::access_log_writers().tick(wall_us() / 1000);  // the clock of the lines' times
}

void ThreadedChild::read_signals() {
    signalfd_siginfo info{};
    while (::read(signal_fd_, &info, sizeof info) == sizeof info) {
        const int sig = static_cast<int>(info.ssi_signo);
        if (sig == SIGUSR1 || sig == SIGWINCH) {
            begin_drain();
        } else if (sig == SIGTERM || sig == SIGINT) {
            stop_signal_ = sig;
            stopping_ = true;
        }
    }
    std::uint64_t count = 0;
    [[maybe_unused]] ssize_t n = ::read(idle_fd_, &count, sizeof count);
}

int ThreadedChild::run() {
    // The writers are shared by the threads from here on.
    logs::set_log_writers_threaded(true);
    const int n = settings_.threads_per_child;
    for (int i = 0; i < n; ++i) {
        auto t = std::make_unique<Thread>();
        net::WorkerRole role = role_;
        role.thread_slot = i;
        role.max_open = 1;
        role.max_accepts = 0;
        t->worker = std::make_unique<net::Worker>(gen_, std::vector<os::ListenSocket>{}, role);
        t->worker->enable_remote_control();
        threads_.push_back(std::move(t));
    }
    for (auto& t : threads_) {
        Thread* raw = t.get();
        raw->thread = std::thread([this, raw] { serve(*raw); });
    }
    while (!stopping_) {
        if (draining_) {
            if (idle_count_.load(std::memory_order_acquire) == n) {
                break;  // every connection has ended
            }
            pollfd fds[2] = {{signal_fd_, POLLIN, 0}, {idle_fd_, POLLIN, 0}};
            ::poll(fds, 2, 200);
            read_signals();
            continue;
        }
        if (idle_count_.load(std::memory_order_acquire) == 0) {
            // No idle worker: stop accepting until one is (httpd's worker).
            if (auto* p = role_.board.process()) {
                p->not_accepting.store(true, std::memory_order_relaxed);
            }
            pollfd fds[2] = {{signal_fd_, POLLIN, 0}, {idle_fd_, POLLIN, 0}};
            if (::poll(fds, 2, 1000) == 0) {
                tick_logs();
            }
            read_signals();
            if (auto* p = role_.board.process()) {
                p->not_accepting.store(false, std::memory_order_relaxed);
            }
            continue;
        }
        Accepted a = accept_.next(1000);
        if (a.timed_out) {
            tick_logs();
            continue;
        }
        if (a.error != 0) {
            log_startup(LogLevel::Emerg, settings_.module(), "SN00144",
                        std::string("couldn't grab the accept mutex: ") + std::strerror(a.error));
            fatal_ = true;
            break;
        }
        if (a.signalled) {
            read_signals();
            continue;
        }
        if (a.fd < 0) {
            continue;
        }
        if (auto* p = role_.board.process()) {
            p->accepted.fetch_add(1, std::memory_order_relaxed);
        }
        if (!hand_off(a.fd, a.peer, a.listener)) {
            ::close(a.fd);  // cannot happen: accepted only while a worker is idle
        }
        ++accepted_;
        if (role_.max_accepts != 0 && accepted_ >= role_.max_accepts) {
            begin_drain();  // MaxConnectionsPerChild
        }
    }
    stop_all();
    for (auto& t : threads_) {
        t->thread.join();
    }
    logs::access_log_writers().flush_all();
    return fatal_ ? -1 : stop_signal_;
}

}  // namespace

int serve_threaded(const config::Generation& gen, const Settings& settings,
                   const std::vector<os::ListenSocket>& sockets, int signal_fd, net::WorkerRole role,
                   os::AcceptMutex* mutex) {
    ThreadedChild child(gen, settings, sockets, signal_fd, role, mutex);
    return child.run();
}

}  // namespace sonora::mpm
