#include "sim/clock.h"

#include <gtest/gtest.h>

#include "sim/event_loop.h"

namespace lockcheck::sim {
namespace {

const MonoInstant kMono0 = MonoInstant{} + Millis(5000);
const WallInstant kWall0 = WallInstant{} + Millis(1'795'000'000'000);

TEST(LocalClock, WithoutDriftReadsTrueTimeFromItsStart) {
  LocalClock c(kMono0, kWall0, 0);
  EXPECT_EQ(c.mono_at(at_ms(250)), kMono0 + Millis(250));
  EXPECT_EQ(c.wall_at(at_ms(250)), kWall0 + Millis(250));
}

TEST(LocalClock, DriftScalesElapsedTime) {
  LocalClock fast(kMono0, kWall0, 10'000);  // +1%
  EXPECT_EQ(fast.mono_at(at_ms(1000)), kMono0 + Millis(1010));
  LocalClock slow(kMono0, kWall0, -10'000);
  EXPECT_EQ(slow.mono_at(at_ms(1000)), kMono0 + Millis(990));
}

TEST(LocalClock, WallJumpLeavesMonotonicAlone) {
  LocalClock c(kMono0, kWall0, 0);
  c.jump_wall(Millis(20'000));
  EXPECT_EQ(c.wall_at(at_ms(1)), kWall0 + Millis(20'001));
  EXPECT_EQ(c.mono_at(at_ms(1)), kMono0 + Millis(1));
  c.jump_wall(Millis(-30'000));
  EXPECT_EQ(c.wall_at(at_ms(1)), kWall0 - Millis(9'999));
}

TEST(LocalClock, DriftChangeKeepsPastReadingsAndInvertsExactly) {
  LocalClock c(kMono0, kWall0, 0);
  c.set_drift(at_ms(1000), 100'000);  // +10% from 1 s on
  EXPECT_EQ(c.mono_at(at_ms(500)), kMono0 + Millis(500));
  EXPECT_EQ(c.mono_at(at_ms(2000)), kMono0 + Millis(2100));
  // Inversion is the first true instant at which the clock reads >= m.
  EXPECT_EQ(c.true_at_mono(kMono0 + Millis(500)), at_ms(500));
  EXPECT_EQ(c.true_at_mono(kMono0 + Millis(2100)), at_ms(2000));
  for (int64_t ns : {1LL, 999'999LL, 123'456'789LL, 5'000'000'001LL}) {
    const MonoInstant m = kMono0 + Nanos(ns);
    const TrueInstant t = c.true_at_mono(m);
    EXPECT_GE(c.mono_at(t), m) << ns;
    EXPECT_LT(c.mono_at(t - Nanos(1)), m) << ns;
  }
}

// The exact rule, in 128 bits, that the clock's cheaper paths must match:
// mono = start + floor-toward-zero(dt * rate / 1e6).
MonoInstant reference_mono(MonoInstant start, Nanos dt, int64_t drift_ppm) {
  const __int128 dm = __int128{dt.count()} * (1'000'000 + drift_ppm) / 1'000'000;
  return start + Nanos(static_cast<int64_t>(dm));
}

TEST(LocalClock, ShortAndLongSpansReadExactlyAsThe128BitRule) {
  // Spans around the 64-bit path's limit (about 2.3 hours) and far past it.
  const int64_t hour_ns = 3'600'000'000'000;
  for (int64_t drift : {-100'000, -7, 0, 3, 99'999, 100'000}) {
    LocalClock c(kMono0, kWall0, drift);
    for (int64_t ns : {int64_t{1}, int64_t{999'999}, 2 * hour_ns + 1, 2 * hour_ns + hour_ns / 3, 3 * hour_ns,
                       30 * 24 * hour_ns}) {
      const TrueInstant t = TrueInstant{} + Nanos(ns);
      EXPECT_EQ(c.mono_at(t), reference_mono(kMono0, Nanos(ns), drift)) << drift << " " << ns;
      const MonoInstant m = kMono0 + Nanos(ns);
      const TrueInstant back = c.true_at_mono(m);
      EXPECT_GE(c.mono_at(back), m) << drift << " " << ns;
      EXPECT_LT(c.mono_at(back - Nanos(1)), m) << drift << " " << ns;
    }
  }
}

TEST(EventLoop, RunsByTimeThenInsertionOrder) {
  EventLoop loop;
  std::vector<int> order;
  loop.at(at_ms(5), [&] { order.push_back(3); });
  loop.at(at_ms(1), [&] { order.push_back(1); });
  loop.at(at_ms(5), [&] { order.push_back(4); });
  loop.at(at_ms(1), [&] {
    order.push_back(2);
    loop.at(at_ms(5), [&] { order.push_back(5); });  // same instant, scheduled later: runs later
  });
  loop.at(at_ms(9), [&] { order.push_back(6); });
  ASSERT_TRUE(loop.run_until(at_ms(8)));
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 4, 5}));
  EXPECT_EQ(loop.now(), at_ms(5));
  EXPECT_FALSE(loop.empty());
}

}  // namespace
}  // namespace lockcheck::sim
