#pragma once
// The accept loop of prefork children and of worker children's listener
// thread: wait for a connection on every listener at once, and for the
// child's signals, then accept it.
//
// Two ways to wait, both free of PR#467's starvation (a child parked in
// accept() on one socket while another socket has connections), because a
// waiting child always waits on all listeners:
//   - serialised (httpd's accept mutex, `Mutex <mechanism> mpm-accept`):
//     the child takes the mutex, poll()s every listener, accepts, releases;
//     one child waits at a time, the others sleep in the lock;
//   - unserialised (no accept mutex): the listeners sit in the child's own
//     epoll set with EPOLLEXCLUSIVE, so the kernel wakes one waiting child
//     per connection instead of all of them, without a lock.

#include "os/accept_mutex.h"
#include "os/listeners.h"

#include <sys/socket.h>

#include <vector>

namespace sonora::mpm {

struct Accepted {
    int fd = -1;  // the new connection (non-blocking, TCP_NODELAY), or -1
    sockaddr_storage peer{};
    const os::ListenSocket* listener = nullptr;
    bool signalled = false;  // the signal descriptor became readable
    bool timed_out = false;  // nothing within the wait's time
    int error = 0;           // the mutex failed (errno): fatal for the child, as in httpd
};

class AcceptLoop {
public:
    // `mutex`: null to wait unserialised. The listeners and the mutex must
    // outlive the loop.
    AcceptLoop(const std::vector<os::ListenSocket>& listeners, int signal_fd, os::AcceptMutex* mutex);
    ~AcceptLoop();
    AcceptLoop(const AcceptLoop&) = delete;
    AcceptLoop& operator=(const AcceptLoop&) = delete;

    // Waits until a connection is accepted or a signal is pending, or for
    // `timeout_ms` at most (-1: no limit), so that the caller can do its
    // periodic work (writing buffered log lines).
    Accepted next(int timeout_ms = -1);

private:
    Accepted next_serialised(int timeout_ms);
    Accepted next_exclusive(int timeout_ms);
    bool accept_from(const os::ListenSocket& l, Accepted& a);

    const std::vector<os::ListenSocket>& listeners_;
    int signal_fd_;
    os::AcceptMutex* mutex_;
    int epfd_ = -1;
};

}  // namespace sonora::mpm
