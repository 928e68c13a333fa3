#include "event/loop.h"

#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <utility>

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

void TimerHeap::schedule(TimerNode& n, std::int64_t deadline_ms) {
    if (!n.in_heap()) {
        n.deadline_ms = deadline_ms;
        heap_.push_back(&n);
        n.heap_index = static_cast<std::uint32_t>(heap_.size() - 1);
        sift_up(n.heap_index);
        return;
    }
    const bool earlier = deadline_ms < n.deadline_ms;
    n.deadline_ms = deadline_ms;
    if (earlier) {
        sift_up(n.heap_index);
    } else {
        sift_down(n.heap_index);
    }
}

void TimerHeap::cancel(TimerNode& n) {
    if (!n.in_heap()) {
        return;
    }
    const std::size_t i = n.heap_index;
    TimerNode* last = heap_.back();
    heap_.pop_back();
    n.heap_index = TimerNode::kNotInHeap;
    if (last == &n) {
        return;
    }
    place(i, last);
    sift_up(i);
    sift_down(last->heap_index);
}

void TimerHeap::sift_up(std::size_t i) {
    TimerNode* n = heap_[i];
    while (i > 0) {
        const std::size_t parent = (i - 1) / 2;
        if (heap_[parent]->deadline_ms <= n->deadline_ms) {
            break;
        }
        place(i, heap_[parent]);
        i = parent;
    }
    place(i, n);
}

void TimerHeap::sift_down(std::size_t i) {
    TimerNode* n = heap_[i];
    const std::size_t size = heap_.size();
    for (;;) {
        std::size_t child = 2 * i + 1;
        if (child >= size) {
            break;
        }
        if (child + 1 < size && heap_[child + 1]->deadline_ms < heap_[child]->deadline_ms) {
            ++child;
        }
        if (n->deadline_ms <= heap_[child]->deadline_ms) {
            break;
        }
        place(i, heap_[child]);
        i = child;
    }
    place(i, n);
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

bool Loop::add_first(int fd, std::uint32_t events, Handler* h) {
    if (!add(fd, events, h)) {
        return false;
    }
    first_ = h;
    return true;
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
    ++turns_;
    if (first_ != nullptr) {
        for (int i = 1; i < n; ++i) {
            if (events_[static_cast<std::size_t>(i)].data.ptr == first_) {
                std::swap(events_[0], events_[static_cast<std::size_t>(i)]);
                break;
            }
        }
    }
    for (int i = 0; i < n; ++i) {
        static_cast<Handler*>(events_[static_cast<std::size_t>(i)].data.ptr)->on_event(events_[static_cast<std::size_t>(i)].events);
    }
}

}  // namespace sonora::event
