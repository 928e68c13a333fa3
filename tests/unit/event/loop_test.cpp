// The epoll loop's turn count and its first handler: in a turn where the
// first handler's descriptor is ready, it runs before every other handler.

#include "event/loop.h"

#include <gtest/gtest.h>

#include <sys/eventfd.h>
#include <unistd.h>

#include <memory>
#include <vector>

namespace sonora::event {
namespace {

class Recorder final : public Handler {
public:
    Recorder(std::vector<int>& order, int id) : order_(order), id_(id) {}
    void on_event(std::uint32_t) override { order_.push_back(id_); }

private:
    std::vector<int>& order_;
    int id_;
};

TEST(Loop, TheFirstHandlerRunsFirstInItsTurn) {
    Loop loop;
    std::vector<int> order;
    std::vector<int> fds;
    std::vector<std::unique_ptr<Recorder>> handlers;
    for (int id = 0; id < 4; ++id) {
        fds.push_back(::eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC));  // readable from the start
        handlers.push_back(std::make_unique<Recorder>(order, id));
    }
    ASSERT_TRUE(loop.add(fds[0], EPOLLIN, handlers[0].get()));
    ASSERT_TRUE(loop.add(fds[1], EPOLLIN, handlers[1].get()));
    ASSERT_TRUE(loop.add(fds[2], EPOLLIN, handlers[2].get()));
    ASSERT_TRUE(loop.add_first(fds[3], EPOLLIN, handlers[3].get()));
    const std::uint64_t before = loop.turns();
    loop.run_once(0);
    EXPECT_EQ(loop.turns(), before + 1);
    ASSERT_EQ(order.size(), 4u);
    EXPECT_EQ(order.front(), 3);
    // A turn without it runs the others as usual.
    std::uint64_t value = 0;
    ASSERT_EQ(::read(fds[3], &value, sizeof value), static_cast<ssize_t>(sizeof value));
    order.clear();
    loop.run_once(0);
    EXPECT_EQ(order.size(), 3u);
    EXPECT_EQ(loop.turns(), before + 2);
    for (int fd : fds) {
        ::close(fd);
    }
}

}  // namespace
}  // namespace sonora::event
