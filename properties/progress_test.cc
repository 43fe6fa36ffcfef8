// `progress` over generated runs on a lossy network: message loss is a
// fault, so a correct strategy never violates progress because of it.
#include <gtest/gtest.h>

#include <string>

#include "chaos/run.h"
#include "properties/checkers.h"
#include "sim/rng.h"

namespace lockcheck::properties {
namespace {

// The default world for `strategy`, with no fault events but a network that
// loses 0.1% to 20% of messages (drawn from the seed).
chaos::Scenario lossy(const std::string& strategy, uint64_t seed) {
  chaos::Scenario s = chaos::generate(strategy, {}, seed);
  s.world.network.drop_ppm = sim::Rng(seed).split(99).between(1'000, 200'000);
  return s;
}

TEST(Progress, CorrectStrategiesHoldOnALossyNetwork) {
  constexpr uint64_t kSeeds = 500;
  for (const std::string strategy : {"single", "reentrant", "fenced", "watchdog", "redlock"}) {
    int flagged = 0;
    for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
      const chaos::Scenario s = lossy(strategy, seed);
      const sim::RunOutcome out = chaos::run_scenario(s);
      ASSERT_FALSE(out.event_limit_hit) << strategy << " seed " << seed;
      if (auto v = check_progress(out.history)) {
        ++flagged;
        ADD_FAILURE() << strategy << " seed " << seed << " drop " << s.world.network.drop_ppm
                      << " ppm: " << v->explanation;
      }
    }
    EXPECT_EQ(flagged, 0) << strategy;
  }
}

}  // namespace
}  // namespace lockcheck::properties
