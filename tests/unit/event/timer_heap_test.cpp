// TimerHeap: earliest deadline first through any mix of schedule, move and
// cancel, checked against a plain sorted reference.

#include "event/loop.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace sonora::event {
namespace {

TEST(TimerHeap, FrontIsTheEarliestAcrossRandomOperations) {
    std::mt19937 rng(12345);
    std::vector<TimerNode> nodes(200);
    TimerHeap heap;
    for (int step = 0; step < 20000; ++step) {
        TimerNode& n = nodes[rng() % nodes.size()];
        switch (rng() % 3) {
            case 0:
            case 1: heap.schedule(n, static_cast<std::int64_t>(rng() % 100000)); break;
            default: heap.cancel(n); break;
        }
        std::int64_t earliest = INT64_MAX;
        std::size_t scheduled = 0;
        for (const TimerNode& m : nodes) {
            if (m.in_heap()) {
                earliest = std::min(earliest, m.deadline_ms);
                ++scheduled;
            }
        }
        ASSERT_EQ(heap.size(), scheduled);
        if (scheduled == 0) {
            ASSERT_EQ(heap.front(), nullptr);
        } else {
            ASSERT_EQ(heap.front()->deadline_ms, earliest);
        }
    }
}

TEST(TimerHeap, DrainsInDeadlineOrder) {
    std::vector<TimerNode> nodes(50);
    TimerHeap heap;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        heap.schedule(nodes[i], static_cast<std::int64_t>((i * 37) % 50));
    }
    heap.schedule(nodes[3], 1000);  // moved later
    std::int64_t last = -1;
    while (TimerNode* n = heap.front()) {
        EXPECT_GE(n->deadline_ms, last);
        last = n->deadline_ms;
        heap.cancel(*n);
        EXPECT_FALSE(n->in_heap());
    }
    EXPECT_EQ(last, 1000);
}

}  // namespace
}  // namespace sonora::event
