// Reading the scoreboard into what mod_status prints: counts, the key map,
// the PID key and the per-worker rows.

#include "modules/generators/mod_status_snapshot.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstring>

namespace sonora::modules::generators::status {
namespace {

using scoreboard::Scoreboard;
using scoreboard::State;

constexpr std::int64_t kNow = 1'800'000'000'000'000;  // microseconds

// A scoreboard of 4 process slots of 4 worker slots, 3 used per process,
// the configuration allowing 2 processes.
class Board : public ::testing::Test {
protected:
    void SetUp() override {
        sb_ = Scoreboard::create(4, 4);
        ASSERT_NE(sb_, nullptr);
        auto& g = sb_->global();
        g.threads_per_child = 3;
        g.max_servers = 2;
        scoreboard::copy_field(g.mpm, sizeof g.mpm, "event");
        g.restart_us.store(kNow - 3'725'000'000, std::memory_order_relaxed);  // 1 h 2 min 5 s ago
    }
    void TearDown() override { Scoreboard::destroy(sb_); }

    void set(std::uint32_t p, std::uint32_t t, State s) {
        sb_->worker(p, t).state.store(static_cast<char>(s), std::memory_order_relaxed);
    }
    SnapshotInputs inputs(bool extended = true) const {
        SnapshotInputs in;
        in.now_us = kNow;
        in.extended = extended;
        in.cpu_of = [](pid_t pid) { return CpuTimes{pid / 100.0, 0.5, 0, 0.25}; };
        return in;
    }

    Scoreboard* sb_ = nullptr;
};

TEST_F(Board, EmptyBoardShowsOnlyTheConfiguredSlots) {
    Snapshot s = take_snapshot(*sb_, inputs());
    // max_servers * threads_per_child cells; the others are not shown at all.
    EXPECT_EQ(s.board, std::string(6, '.'));
    EXPECT_TRUE(s.processes.empty());
    EXPECT_TRUE(s.async);
    EXPECT_EQ(s.uptime_s, 3725u);
    EXPECT_EQ(s.config_generation, 1u);
    EXPECT_EQ(s.mpm_generation, 0u);
    EXPECT_TRUE(s.workers.empty());
    // Open slots are left out of the PID key; slots past the limits are ' '.
    ASSERT_EQ(s.pid_key.size(), 16u - 6u);
    EXPECT_EQ(s.pid_key.front().state, ' ');
}

TEST_F(Board, CountsWorkersOfLiveProcesses) {
    sb_->claim(0, 100, 0);  // three Ready slots
    sb_->claim(1, 200, 0);
    set(0, 0, State::Writing);
    set(0, 1, State::Reading);
    set(1, 2, State::Graceful);
    sb_->process(1).quiescing.store(true);
    sb_->process(0).connections.store(5);
    sb_->process(0).keep_alive.store(2);
    sb_->process(0).lingering.store(1);
    Snapshot s = take_snapshot(*sb_, inputs());
    // The fourth slot of each process is beyond ThreadsPerChild, slots 2 and
    // 3 beyond what MaxRequestWorkers allows: none of them is shown.
    EXPECT_EQ(s.board, "WR___G");
    EXPECT_EQ(s.busy, 2);      // the quiescing process's workers do not count
    EXPECT_EQ(s.idle, 1);      // only process 0's waiting slot
    EXPECT_EQ(s.graceful, 1);
    ASSERT_EQ(s.processes.size(), 2u);
    EXPECT_EQ(s.stopping, 1);
    const ProcessRow& p0 = s.processes[0];
    EXPECT_EQ(p0.pid, 100);
    EXPECT_EQ(p0.busy, 2);
    EXPECT_EQ(p0.idle, 1);
    EXPECT_EQ(p0.connections, 5u);
    EXPECT_EQ(p0.keep_alive, 2u);
    EXPECT_EQ(p0.closing, 1u);
    EXPECT_TRUE(p0.accepting);
    const ProcessRow& p1 = s.processes[1];
    EXPECT_TRUE(p1.stopping);
    EXPECT_FALSE(p1.accepting);
    EXPECT_EQ(p1.graceful, 1);
    EXPECT_EQ(p1.idle, 2);
    // CPU of both live processes.
    EXPECT_DOUBLE_EQ(s.cpu.user, 3.0);
    EXPECT_DOUBLE_EQ(s.cpu.system, 1.0);
}

TEST_F(Board, OldGenerationWorkersAreNotIdleCapacity) {
    sb_->global().generation.store(1);
    sb_->claim(0, 100, 0);
    sb_->claim(1, 200, 1);
    Snapshot s = take_snapshot(*sb_, inputs());
    EXPECT_EQ(s.idle, 3);
    EXPECT_EQ(s.config_generation, 2u);
    EXPECT_EQ(s.mpm_generation, 1u);
    EXPECT_TRUE(s.processes[0].old_generation);
    EXPECT_FALSE(s.processes[1].old_generation);
}

TEST_F(Board, ExtendedTotalsAndRows) {
    sb_->claim(0, 100, 0);
    auto& w = sb_->worker(0, 1);
    w.access_count = 3;
    w.my_access_count = 2;
    w.conn_count = 0;
    w.bytes_served = 3000;
    w.my_bytes_served = 2000;
    w.duration_us = 7'900;
    w.start_us = kNow - 5'000'000;
    w.stop_us = kNow - 4'998'500;  // 1.5 ms
    scoreboard::copy_field(w.client, sizeof w.client, "127.0.0.1");
    scoreboard::copy_field(w.vhost, sizeof w.vhost, "localhost:8080");
    scoreboard::copy_field(w.request, sizeof w.request, "GET / HTTP/1.1");
    auto& busy = sb_->worker(0, 2);
    busy.bytes_served = 1000;
    set(0, 2, State::Writing);
    busy.start_us = kNow - 1'000'000;
    // A slot of a process that is gone keeps its counts.
    auto& old = sb_->worker(2, 0);
    old.access_count = 1;
    old.bytes_served = 100;

    Snapshot s = take_snapshot(*sb_, inputs());
    EXPECT_EQ(s.accesses, 4u);
    EXPECT_EQ(s.kbytes, 4100u / 1024);
    EXPECT_EQ(s.duration_ms, 7);
    ASSERT_EQ(s.workers.size(), 3u) << "waiting slots that never served are left out";
    const WorkerRow& r = s.workers[0];
    EXPECT_EQ(r.process, 0u);
    EXPECT_EQ(r.pid, 100);
    EXPECT_EQ(r.state, '_');
    EXPECT_EQ(r.access_count, 3u);
    EXPECT_EQ(r.my_access_count, 2u);
    EXPECT_EQ(r.request_ms, 1);
    EXPECT_EQ(r.duration_ms, 7);
    EXPECT_EQ(r.since_s, 4);
    EXPECT_EQ(r.client, "127.0.0.1");
    EXPECT_EQ(r.vhost, "localhost:8080");
    EXPECT_EQ(r.request, "GET / HTTP/1.1");
    EXPECT_DOUBLE_EQ(r.cpu.user, 1.0);
    const WorkerRow& in_flight = s.workers[1];
    EXPECT_EQ(in_flight.state, 'W');
    EXPECT_EQ(in_flight.request_ms, 0) << "a request in flight has no time yet";
    EXPECT_EQ(in_flight.since_s, 1);
    const WorkerRow& gone = s.workers[2];
    EXPECT_EQ(gone.pid, 0);
    EXPECT_EQ(gone.state, '.');
}

TEST_F(Board, WithoutExtendedStatusNoDetails) {
    sb_->claim(0, 100, 0);
    sb_->worker(0, 0).access_count = 9;
    Snapshot s = take_snapshot(*sb_, inputs(false));
    EXPECT_FALSE(s.extended);
    EXPECT_EQ(s.accesses, 0u);
    EXPECT_TRUE(s.workers.empty());
    ASSERT_GE(s.pid_key.size(), 3u);
    EXPECT_EQ(s.pid_key[0].pid, 100);
    EXPECT_EQ(s.pid_key[0].state, '_');
}

TEST_F(Board, PreforkIsNotAsync) {
    scoreboard::copy_field(sb_->global().mpm, sizeof sb_->global().mpm, "prefork");
    EXPECT_FALSE(take_snapshot(*sb_, inputs()).async);
}

TEST(StatusCpu, ReadsThisProcess) {
    // Burn a little CPU so that the reading is not all zero on a fast machine.
    volatile unsigned long x = 0;
    for (unsigned long i = 0; i < 50'000'000; ++i) {
        x = x + i;
    }
    CpuTimes t = read_process_cpu(::getpid());
    EXPECT_GT(t.total(), 0.0);
    CpuTimes none = read_process_cpu(999'999'999);
    EXPECT_EQ(none.total(), 0.0);
}

}  // namespace
}  // namespace sonora::modules::generators::status
