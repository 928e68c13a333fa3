#include "mpm/accept_loop.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>

namespace sonora::mpm {

AcceptLoop::AcceptLoop(const std::vector<os::ListenSocket>& listeners, int signal_fd, os::AcceptMutex* mutex)
    : listeners_(listeners), signal_fd_(signal_fd), mutex_(mutex) {
    if (mutex_ != nullptr) {
        return;
    }
    epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = nullptr;
    ::epoll_ctl(epfd_, EPOLL_CTL_ADD, signal_fd_, &ev);
    for (const os::ListenSocket& l : listeners_) {
        ev.events = EPOLLIN | EPOLLEXCLUSIVE;
        ev.data.ptr = const_cast<os::ListenSocket*>(&l);
        ::epoll_ctl(epfd_, EPOLL_CTL_ADD, l.fd, &ev);
    }
}

AcceptLoop::~AcceptLoop() {
    if (epfd_ >= 0) {
        ::close(epfd_);
    }
}

bool AcceptLoop::accept_from(const os::ListenSocket& l, Accepted& a) {
    socklen_t len = sizeof a.peer;
    a.fd = ::accept4(l.fd, reinterpret_cast<sockaddr*>(&a.peer), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (a.fd < 0) {
        return false;  // EAGAIN: another process was quicker
    }
    a.listener = &l;
    int one = 1;
    ::setsockopt(a.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return true;
}

Accepted AcceptLoop::next(int timeout_ms) {
    return mutex_ != nullptr ? next_serialised(timeout_ms) : next_exclusive(timeout_ms);
}

Accepted AcceptLoop::next_exclusive(int timeout_ms) {
    Accepted a;
    epoll_event events[8];
    for (;;) {
        const int n = ::epoll_wait(epfd_, events, 8, timeout_ms);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            a.error = errno;
            return a;
        }
        if (n == 0) {
            a.timed_out = true;
            return a;
        }
        for (int i = 0; i < n; ++i) {
            if (events[i].data.ptr == nullptr) {
                a.signalled = true;
            }
        }
        if (a.signalled) {
            return a;
        }
        for (int i = 0; i < n; ++i) {
            if (accept_from(*static_cast<const os::ListenSocket*>(events[i].data.ptr), a)) {
                return a;
            }
        }
    }
}

// httpd's serialised wait: the mutex is held while polling, so that one
// child waits on all the listeners and the others sleep in the lock.
Accepted AcceptLoop::next_serialised(int timeout_ms) {
    Accepted a;
    std::vector<pollfd> fds;
    fds.reserve(listeners_.size() + 1);
    fds.push_back(pollfd{signal_fd_, POLLIN, 0});
    for (const os::ListenSocket& l : listeners_) {
        fds.push_back(pollfd{l.fd, POLLIN, 0});
    }
    if (int err = mutex_->lock()) {
        a.error = err;
        return a;
    }
    for (;;) {
        const int n = ::poll(fds.data(), fds.size(), timeout_ms);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            a.error = errno;
            break;
        }
        if (n == 0) {
            a.timed_out = true;
            break;
        }
        if (fds[0].revents != 0) {
            a.signalled = true;
            break;
        }
        bool got = false;
        for (std::size_t i = 1; i < fds.size() && !got; ++i) {
            got = fds[i].revents != 0 && accept_from(listeners_[i - 1], a);
        }
        if (got) {
            break;
        }
    }
    if (int err = mutex_->unlock(); err != 0 && a.error == 0) {
        a.error = err;
    }
    return a;
}

}  // namespace sonora::mpm
