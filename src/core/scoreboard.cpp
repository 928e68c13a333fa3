#include "core/scoreboard.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <new>

namespace sonora::scoreboard {

namespace {

Scoreboard* g_current = nullptr;

constexpr std::size_t align_up(std::size_t n) {
    return (n + alignof(std::max_align_t) - 1) & ~(alignof(std::max_align_t) - 1);
}

}  // namespace

Scoreboard* Scoreboard::create(std::uint32_t server_limit, std::uint32_t thread_limit) {
    const std::size_t global_size = align_up(sizeof(Global));
    const std::size_t procs_size = align_up(sizeof(ProcessSlot) * server_limit);
    const std::size_t workers_size = sizeof(WorkerSlot) * server_limit * thread_limit;
    const std::size_t size = global_size + procs_size + workers_size;
    // Shared and anonymous: inherited by every fork, gone with the last process.
    void* base = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) {
        return nullptr;
    }
    auto* sb = new Scoreboard();
    sb->base_ = base;
    sb->size_ = size;
    auto* bytes = static_cast<unsigned char*>(base);
    sb->global_ = new (bytes) Global();
    sb->procs_ = reinterpret_cast<ProcessSlot*>(bytes + global_size);
    for (std::uint32_t i = 0; i < server_limit; ++i) {
        new (&sb->procs_[i]) ProcessSlot();
    }
    sb->workers_ = reinterpret_cast<WorkerSlot*>(bytes + global_size + procs_size);
    for (std::size_t i = 0; i < static_cast<std::size_t>(server_limit) * thread_limit; ++i) {
        new (&sb->workers_[i]) WorkerSlot();
    }
    sb->global_->server_limit = server_limit;
    sb->global_->thread_limit = thread_limit;
    sb->global_->threads_per_child = thread_limit;
    return sb;
}

void Scoreboard::destroy(Scoreboard* sb) {
    if (sb == nullptr) {
        return;
    }
    if (g_current == sb) {
        g_current = nullptr;
    }
    ::munmap(sb->base_, sb->size_);
    delete sb;
}

void Scoreboard::claim(std::uint32_t i, pid_t pid, std::uint32_t generation) {
    ProcessSlot& p = procs_[i];
    p.generation.store(generation, std::memory_order_relaxed);
    p.quiescing.store(false, std::memory_order_relaxed);
    p.not_accepting.store(false, std::memory_order_relaxed);
    p.connections.store(0, std::memory_order_relaxed);
    p.keep_alive.store(0, std::memory_order_relaxed);
    p.lingering.store(0, std::memory_order_relaxed);
    p.busy.store(0, std::memory_order_relaxed);
    p.accepted.store(0, std::memory_order_relaxed);
    const std::uint32_t threads = global_->threads_per_child;
    for (std::uint32_t t = 0; t < global_->thread_limit; ++t) {
        WorkerSlot& w = worker(i, t);
        w.state.store(static_cast<char>(t < threads ? State::Ready : State::Dead), std::memory_order_relaxed);
        w.my_access_count.store(0, std::memory_order_relaxed);
        w.my_bytes_served.store(0, std::memory_order_relaxed);
        w.conn_count.store(0, std::memory_order_relaxed);
    }
    p.pid.store(pid, std::memory_order_release);
}

void Scoreboard::release(std::uint32_t i) {
    ProcessSlot& p = procs_[i];
    p.pid.store(0, std::memory_order_release);
    p.connections.store(0, std::memory_order_relaxed);
    p.keep_alive.store(0, std::memory_order_relaxed);
    p.lingering.store(0, std::memory_order_relaxed);
    p.busy.store(0, std::memory_order_relaxed);
    for (std::uint32_t t = 0; t < global_->thread_limit; ++t) {
        worker(i, t).state.store(static_cast<char>(State::Dead), std::memory_order_relaxed);
    }
}

Scoreboard* current() { return g_current; }
void set_current(Scoreboard* sb) { g_current = sb; }

void copy_field(char* field, std::size_t size, std::string_view s) {
    const std::size_t n = std::min(size - 1, s.size());
    std::memcpy(field, s.data(), n);
    field[n] = '\0';
}

}  // namespace sonora::scoreboard
