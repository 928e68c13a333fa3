#pragma once
// The event loop: one epoll instance owned by one thread, with coarse timers.
//
// Handlers are registered per file descriptor and called with the epoll event
// mask. Time is read once per loop turn (CLOCK_MONOTONIC_COARSE through the
// vDSO: no system call) and handed out as now_ms(); timers are intrusive lists,
// one per fixed duration, so scheduling is O(1) and expiry checks only heads.

#include <sys/epoll.h>

#include <cstdint>
#include <vector>

namespace sonora::event {

class Handler {
public:
    virtual void on_event(std::uint32_t events) = 0;

protected:
    ~Handler() = default;
};

// A node in a TimerList or a TimerHeap (one at a time); embed one per timed object.
struct TimerNode {
    static constexpr std::uint32_t kNotInHeap = UINT32_MAX;
    TimerNode* prev = nullptr;
    TimerNode* next = nullptr;
    std::int64_t deadline_ms = 0;
    void* owner = nullptr;  // the timed object
    std::uint32_t heap_index = kNotInHeap;
    bool linked() const { return prev != nullptr || next != nullptr; }
    bool in_heap() const { return heap_index != kNotInHeap; }
};

// Entries of one list all share a duration, so appending keeps it sorted.
class TimerList {
public:
    explicit TimerList(std::int64_t duration_ms = 0) : duration_ms_(duration_ms) {}
    void set_duration(std::int64_t ms) { duration_ms_ = ms; }
    std::int64_t duration() const { return duration_ms_; }

    void schedule(TimerNode& n, std::int64_t now_ms);
    void cancel(TimerNode& n);
    TimerNode* front() const { return head_.next == &head_ ? nullptr : head_.next; }
    bool contains(const TimerNode& n) const { return n.linked(); }

    TimerList(const TimerList&) = delete;
    TimerList& operator=(const TimerList&) = delete;

private:
    TimerNode head_{&head_, &head_, 0, nullptr};
    std::int64_t duration_ms_;
};

// Timers whose deadlines differ per entry (mod_reqtimeout's stage limits,
// which grow as data arrives): a binary min-heap, O(log n) to schedule, move
// or cancel, the earliest deadline at front().
class TimerHeap {
public:
    void schedule(TimerNode& n, std::int64_t deadline_ms);  // also moves a scheduled node
    void cancel(TimerNode& n);
    TimerNode* front() const { return heap_.empty() ? nullptr : heap_.front(); }
    std::size_t size() const { return heap_.size(); }

private:
    void sift_up(std::size_t i);
    void sift_down(std::size_t i);
    void place(std::size_t i, TimerNode* n) {
        heap_[i] = n;
        n->heap_index = static_cast<std::uint32_t>(i);
    }
    std::vector<TimerNode*> heap_;
};

class Loop {
public:
    Loop();
    ~Loop();
    Loop(const Loop&) = delete;
    Loop& operator=(const Loop&) = delete;

    bool add(int fd, std::uint32_t events, Handler* h);
    // As add(), for the one handler whose events, in a turn that has any, are
    // dispatched before any other handler's: what it learns holds for
    // everything the turn does (the directory walk's inotify queue).
    bool add_first(int fd, std::uint32_t events, Handler* h);
    bool modify(int fd, std::uint32_t events, Handler* h);
    void remove(int fd);

    // Runs one turn: waits at most `max_wait_ms` for events and dispatches them.
    void run_once(int max_wait_ms);
    std::int64_t now_ms() const { return now_ms_; }
    void update_time();
    // Turns run so far, counted when the wait returns, before dispatching:
    // whatever runs in a turn sees that turn's count.
    const std::uint64_t& turns() const { return turns_; }

private:
    int epfd_ = -1;
    std::int64_t now_ms_ = 0;
    std::uint64_t turns_ = 0;
    Handler* first_ = nullptr;
    std::vector<epoll_event> events_;
};

}  // namespace sonora::event
