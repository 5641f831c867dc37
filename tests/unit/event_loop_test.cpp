#include "core/event_loop.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <sys/epoll.h>

#include <thread>

namespace liseur {
namespace {

TEST(EventLoop, TimersRunInOrderAndCanBeCancelled) {
  EventLoop loop;
  std::vector<int> order;
  loop.addTimer(std::chrono::milliseconds(20), [&] { order.push_back(2); });
  loop.addTimer(std::chrono::milliseconds(5), [&] { order.push_back(1); });
  auto id = loop.addTimer(std::chrono::milliseconds(10), [&] { order.push_back(99); });
  loop.cancelTimer(id);
  loop.addTimer(std::chrono::milliseconds(30), [&] { loop.stop(); });
  loop.run();
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

TEST(EventLoop, PostFromAnotherThreadAndFdCallbacks) {
  EventLoop loop;
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  std::string got;
  loop.addFd(p[0], EPOLLIN, [&](uint32_t) {
    char buf[16];
    ssize_t n = ::read(p[0], buf, sizeof buf);
    got.append(buf, n > 0 ? n : 0);
    loop.removeFd(p[0]);
    loop.stop();
  });
  std::thread t([&] { loop.post([&] { ASSERT_EQ(::write(p[1], "hi", 2), 2); }); });
  loop.run();
  t.join();
  EXPECT_EQ(got, "hi");
  ::close(p[0]);
  ::close(p[1]);
}

}  // namespace
}  // namespace liseur
