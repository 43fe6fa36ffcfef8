#include "sim/event_loop.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <tuple>
#include <vector>

#include "sim/rng.h"

namespace lockcheck::sim {
namespace {

TEST(EventLoop, SameInstantRunsInScheduleOrder) {
  EventLoop loop;
  std::vector<int> ran;
  loop.at(at_ms(5), [&] { ran.push_back(2); });
  loop.at(at_ms(1), [&] { ran.push_back(0); });
  loop.at(at_ms(5), [&] { ran.push_back(3); });
  loop.at(at_ms(1), [&] { ran.push_back(1); });
  EXPECT_TRUE(loop.run_until(at_ms(10)));
  EXPECT_EQ(ran, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(loop.events_run(), 4u);
}

TEST(EventLoop, CancelledEventLeavesTheQueueAndNeverRuns) {
  EventLoop loop;
  std::vector<int> ran;
  loop.at(at_ms(1), [&] { ran.push_back(1); });
  const EventLoop::TimerId timeout = loop.at(at_ms(2), [&] { ran.push_back(2); });
  loop.at(at_ms(3), [&] { ran.push_back(3); });
  EXPECT_EQ(loop.queued(), 3u);
  loop.cancel(timeout);
  EXPECT_EQ(loop.queued(), 2u);  // gone now, not skipped when its time comes
  EXPECT_TRUE(loop.run_until(at_ms(10)));
  EXPECT_EQ(ran, (std::vector<int>{1, 3}));
  EXPECT_EQ(loop.events_run(), 2u);
}

TEST(EventLoop, CancelAfterItRanOrTwiceTouchesNothingElse) {
  EventLoop loop;
  std::vector<int> ran;
  const EventLoop::TimerId first = loop.at(at_ms(1), [&] { ran.push_back(1); });
  EXPECT_TRUE(loop.run_until(at_ms(1)));
  // Its pool slot is reused by the next event: the old id must not name it.
  loop.at(at_ms(2), [&] { ran.push_back(2); });
  loop.cancel(first);
  loop.cancel(first);
  EXPECT_TRUE(loop.run_until(at_ms(10)));
  EXPECT_EQ(ran, (std::vector<int>{1, 2}));
}

// Against a plain model: random schedules, cancels and events that
// schedule more run in exactly (time, sequence) order.
TEST(EventLoop, CancelsKeepTheOrderOfTheRest) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Rng rng(seed);
    EventLoop loop;
    std::vector<std::tuple<int64_t, int, bool>> model;  // (ms, id, cancelled), in schedule order
    std::vector<EventLoop::TimerId> ids;
    std::vector<int> ran;
    std::function<void(int64_t)> schedule = [&](int64_t ms) {
      const int id = static_cast<int>(model.size());
      model.emplace_back(ms, id, false);
      ids.push_back(loop.at(at_ms(ms), [&, id, ms] {
        ran.push_back(id);
        if (rng.chance_ppm(300'000) && model.size() < 400) schedule(ms + rng.between(0, 5));
      }));
    };
    for (int i = 0; i < 200; ++i) schedule(rng.between(0, 50));
    for (int i = 0; i < 60; ++i) {
      const size_t victim = static_cast<size_t>(rng.between(0, 199));
      loop.cancel(ids[victim]);
      std::get<2>(model[victim]) = true;
    }
    ASSERT_TRUE(loop.run_until(at_ms(1000)));
    std::vector<std::tuple<int64_t, int, bool>> want = model;
    std::erase_if(want, [](const auto& e) { return std::get<2>(e); });
    std::stable_sort(want.begin(), want.end(),
                     [](const auto& a, const auto& b) { return std::get<0>(a) < std::get<0>(b); });
    std::vector<int> want_ids;
    for (const auto& e : want) want_ids.push_back(std::get<1>(e));
    EXPECT_EQ(ran, want_ids) << "seed " << seed;
    EXPECT_TRUE(loop.empty());
  }
}

}  // namespace
}  // namespace lockcheck::sim
