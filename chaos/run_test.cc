// Scenarios run through run_scenario: faults applied as data, and the
// shapes the generator draws.
#include "chaos/run.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace lockcheck::chaos {
namespace {

using sim::at_ms;
using sim::EventKind;

// A pause scheduled at 0 ms holds the client's very first action: run()
// starts the workloads at 0 ms too, after the faults already queued there.
TEST(RunScenario, PauseFromTimeZeroHoldsTheFirstCommand) {
  Scenario s;
  s.world = default_world("single");
  s.world.seed = 3;
  s.world.clients = 2;
  s.world.workload.acquires_per_client = 2;
  Fault f;
  f.kind = FaultKind::kPause;
  f.at_ms = 0;
  f.target = sim::ProcessId::client(0);
  f.duration_ms = 1500;
  s.faults = {f};
  const sim::RunOutcome out = run_scenario(s);
  int actions = 0;
  for (const auto& e : out.history.events) {
    if (e.client != 0) continue;
    ++actions;
    // Nothing of client-0 happens, and none of its commands changes a node,
    // before the pause ends.
    EXPECT_GE(e.at, at_ms(1500)) << sim::describe(e);
  }
  EXPECT_GT(actions, 0);  // it did act, afterwards
}

// Which side of a two-way generated partition a process is on (-1: none).
int side_of(const Fault& f, sim::ProcessId p) {
  for (size_t g = 0; g < f.groups.size(); ++g) {
    if (std::find(f.groups[g].begin(), f.groups[g].end(), p) != f.groups[g].end()) return static_cast<int>(g);
  }
  return -1;
}

// Every generated partition cuts some client from some Redis node: the
// shape where a holder cut off from Redis may still reach the resource.
TEST(Generate, EveryPartitionCutsAClientFromARedisNode) {
  for (const std::string strategy : {"single", "redlock"}) {
    const sim::WorldConfig c = default_world(strategy);
    for (uint64_t seed = 1; seed <= 300; ++seed) {
      const Scenario s = generate(strategy, {FaultKind::kPartition}, seed);
      for (const Fault& f : s.faults) {
        bool apart = false;
        for (int k = 0; k < c.clients; ++k) {
          for (int n = 0; n < c.nodes; ++n) {
            apart = apart || side_of(f, sim::ProcessId::client(k)) != side_of(f, sim::ProcessId::node(n));
          }
        }
        EXPECT_TRUE(apart) << strategy << " seed " << seed << ": " << describe(f);
      }
    }
  }
}

// In generated partition cells a `single` holder cut from its node keeps
// writing to the resource (within its validity), as a real one would: the
// case `resource` and `validity` exist for.
TEST(Generate, PartitionedHoldersStillReachTheResource) {
  int cut_writes = 0;
  for (uint64_t seed = 1; seed <= 200 && cut_writes == 0; ++seed) {
    const Scenario s = generate("single", {FaultKind::kPartition}, seed);
    const sim::RunOutcome out = run_scenario(s);
    for (const Fault& f : s.faults) {
      if (f.one_way || side_of(f, sim::ProcessId::resource()) >= 0) continue;
      const int node_side = side_of(f, sim::ProcessId::node(0));
      for (const auto& e : out.history.events) {
        if (e.kind != EventKind::kWrite) continue;
        // Sent after the cut began (latency is at most 5 ms), landed before it healed.
        if (e.at < at_ms(f.at_ms + 10) || e.at >= at_ms(f.at_ms + f.duration_ms)) continue;
        if (side_of(f, sim::ProcessId::client(e.client)) != node_side) ++cut_writes;
      }
    }
  }
  EXPECT_GT(cut_writes, 0);
}

}  // namespace
}  // namespace lockcheck::chaos
