#include "event/loop.h"

#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

namespace sonora::event {

void TimerList::schedule(TimerNode& n, std::int64_t now_ms) {
    if (n.linked()) {
        cancel(n);
    }
    n.deadline_ms = now_ms + duration_ms_;
    n.prev = head_.prev;
    n.next = &head_;
    head_.prev->next = &n;
    head_.prev = &n;
}

void TimerList::cancel(TimerNode& n) {
    if (!n.linked()) {
        return;
    }
    n.prev->next = n.next;
    n.next->prev = n.prev;
    n.prev = n.next = nullptr;
}

Loop::Loop() : events_(256) {
    epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epfd_ < 0) {
        throw std::runtime_error("epoll_create1 failed");
    }
    update_time();
}

Loop::~Loop() {
    if (epfd_ >= 0) {
        ::close(epfd_);
    }
}

bool Loop::add(int fd, std::uint32_t events, Handler* h) {
    epoll_event ev{};
    ev.events = events;
    ev.data.ptr = h;
    return ::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) == 0;
}

bool Loop::modify(int fd, std::uint32_t events, Handler* h) {
    epoll_event ev{};
    ev.events = events;
    ev.data.ptr = h;
    return ::epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev) == 0;
}

void Loop::remove(int fd) { ::epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr); }

void Loop::update_time() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    now_ms_ = static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

void Loop::run_once(int max_wait_ms) {
    int n = ::epoll_wait(epfd_, events_.data(), static_cast<int>(events_.size()), max_wait_ms);
    update_time();
    for (int i = 0; i < n; ++i) {
        static_cast<Handler*>(events_[static_cast<std::size_t>(i)].data.ptr)->on_event(events_[static_cast<std::size_t>(i)].events);
    }
}

}  // namespace sonora::event
