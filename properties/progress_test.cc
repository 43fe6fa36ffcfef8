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
    int explained = 0;  // runs where only the losses explain a stuck stretch
    for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
      const chaos::Scenario s = lossy(strategy, seed);
      sim::RunOutcome out = chaos::run_scenario(s);
      ASSERT_FALSE(out.event_limit_hit) << strategy << " seed " << seed;
      if (auto v = check_progress(out.history)) {
        ++flagged;
        ADD_FAILURE() << strategy << " seed " << seed << " drop " << s.world.network.drop_ppm
                      << " ppm: " << v->explanation;
      }
      out.history.messages_lost.clear();
      explained += check_progress(out.history).has_value();
    }
    EXPECT_EQ(flagged, 0) << strategy;
    // The runs do reach the false alarm this guards against (the lock held
    // up by a lost reply or release): without the losses in the history,
    // progress would fire.
    if (strategy == "single") {
      EXPECT_GT(explained, 0);
    }
  }
}

}  // namespace
}  // namespace lockcheck::properties
