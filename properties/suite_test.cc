// RapidCheck property suites over generated scenarios.
//
// Scenarios are generated from shrinkable parts (client count, lock cycles,
// timings, a vector of faults), so RapidCheck's own shrinking reduces a
// failure to a small counterexample. Suites that expect a violation FAIL
// when none is found. A fixed RapidCheck seed keeps CI reproducible.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <optional>
#include <set>
#include <ostream>

#include "chaos/run.h"
#include "properties/suite.h"

namespace lockcheck::chaos {
// How RapidCheck prints a counterexample: as the scenario file it is.
void showValue(const Scenario& s, std::ostream& os) { os << format_scenario(s); }
}  // namespace lockcheck::chaos

namespace lockcheck::properties {
namespace {

using chaos::Fault;
using chaos::FaultKind;
using chaos::Scenario;

struct FaultSpec {
  int64_t at_ms;
  int target;  // client index, wrapped to the client count
  int64_t duration_ms;
};

rc::Gen<FaultSpec> pause_spec(int64_t min_ms, int64_t max_ms) {
  return rc::gen::build<FaultSpec>(rc::gen::set(&FaultSpec::at_ms, rc::gen::inRange<int64_t>(0, 4000)),
                                   rc::gen::set(&FaultSpec::target, rc::gen::inRange(0, 4)),
                                   rc::gen::set(&FaultSpec::duration_ms, rc::gen::inRange<int64_t>(min_ms, max_ms)));
}

// A world for `strategy` with 1-4 clients, 1-5 cycles each and pauses drawn
// by `pauses` (fault-free when it yields nothing).
rc::Gen<Scenario> scenarios(std::string strategy, rc::Gen<std::vector<FaultSpec>> pauses) {
  return rc::gen::apply(
      [strategy](int clients, int acquires, int hold_ms, int think_ms, uint64_t seed, std::vector<FaultSpec> specs) {
        Scenario s;
        s.world = chaos::default_world(strategy);
        s.world.clients = clients;
        s.world.workload.acquires_per_client = acquires;
        s.world.workload.hold = Millis(hold_ms);
        s.world.workload.think = Millis(think_ms);
        s.world.seed = seed;
        for (const auto& p : specs) {
          Fault f;
          f.kind = FaultKind::kPause;
          f.at_ms = p.at_ms;
          f.target = "client-" + std::to_string(p.target % clients);
          f.duration_ms = p.duration_ms;
          s.faults.push_back(f);
        }
        std::stable_sort(s.faults.begin(), s.faults.end(),
                         [](const Fault& a, const Fault& b) { return a.at_ms < b.at_ms; });
        return s;
      },
      rc::gen::inRange(1, 5), rc::gen::inRange(1, 6), rc::gen::inRange(0, 400), rc::gen::inRange(0, 100),
      rc::gen::arbitrary<uint64_t>(), std::move(pauses));
}

rc::Gen<std::vector<FaultSpec>> no_faults() { return rc::gen::just(std::vector<FaultSpec>{}); }

rc::Gen<std::vector<FaultSpec>> some_pauses(int64_t min_ms, int64_t max_ms) {
  return rc::gen::mapcat(rc::gen::inRange(1, 4), [=](int n) { return rc::gen::container<std::vector<FaultSpec>>(n, pause_spec(min_ms, max_ms)); });
}

rc::detail::TestParams params(int max_success) {
  rc::detail::TestParams p;
  p.seed = 0x10c4c4ec;
  p.maxSuccess = max_success;
  p.maxSize = 100;
  return p;
}

bool violates(const Judged& j, const std::string& property) {
  for (const auto& v : j.violations) {
    if (v.property == property) return true;
  }
  return false;
}

// Runs a property expected to FAIL (the strategy is broken under these
// faults) and returns the shrunk counterexample, or nullopt if it held.
std::optional<Scenario> find_violation(rc::Gen<Scenario> gen, const std::string& property, int max_success) {
  std::optional<Scenario> last_failing;
  const auto result = rc::detail::checkTestable(
      [&] {
        const Scenario s = *gen;
        const bool bad = violates(judge(s), property);
        // RapidCheck's last failing call is its final, most-shrunk case.
        if (bad) last_failing = s;
        RC_ASSERT(!bad);
      },
      rc::detail::TestMetadata{}, params(max_success));
  if (result.template is<rc::detail::SuccessResult>()) return std::nullopt;
  return last_failing;
}

TEST(Suite, SingleWithoutFaultsHoldsEveryProperty) {
  int runs = 0;
  uint64_t cycles = 0;
  const auto result = rc::detail::checkTestable(
      [&] {
        const Scenario s = *scenarios("single", no_faults());
        const Judged j = judge(s);
        ++runs;
        for (const auto& e : j.outcome.history.events) cycles += e.kind == sim::EventKind::kAcquireOk;
        for (const auto& v : j.violations) RC_FAIL(v.property + ": " + v.explanation);
        RC_ASSERT(!j.outcome.event_limit_hit);
      },
      rc::detail::TestMetadata{}, params(500));
  ASSERT_TRUE(result.template is<rc::detail::SuccessResult>()) << "single violated a property without faults";
  EXPECT_GE(runs, 500);
  EXPECT_GT(cycles, 500u);  // the scenarios really exercised the lock
}

TEST(Suite, DelUncheckedUnderPausesIsCaughtViolatingOwner) {
  auto cx = find_violation(scenarios("del-unchecked", some_pauses(500, 3000)), "owner", 300);
  ASSERT_TRUE(cx.has_value()) << "del-unchecked was never caught deleting another client's lock";
  // Shrunk small: one pause, two clients, a cycle or two each.
  EXPECT_EQ(cx->faults.size(), 1u) << chaos::format_scenario(*cx);
  EXPECT_EQ(cx->world.clients, 2) << chaos::format_scenario(*cx);
  EXPECT_LE(cx->world.workload.acquires_per_client, 2) << chaos::format_scenario(*cx);
  // And it replays: same trace, same violation.
  const Judged a = judge(*cx), b = judge(*cx);
  EXPECT_EQ(a.outcome.trace_hash, b.outcome.trace_hash);
  EXPECT_TRUE(violates(a, "owner"));
}

TEST(Suite, SingleUnderPausesLongerThanTheTtlIsCaughtViolatingResource) {
  auto cx = find_violation(scenarios("single", some_pauses(1001, 3000)), "resource", 300);
  ASSERT_TRUE(cx.has_value()) << "the GC-pause stale write was never caught";
  EXPECT_EQ(cx->faults.size(), 1u) << chaos::format_scenario(*cx);
  EXPECT_EQ(cx->world.clients, 2) << chaos::format_scenario(*cx);
  EXPECT_LE(cx->world.workload.acquires_per_client, 2) << chaos::format_scenario(*cx);
  EXPECT_TRUE(violates(judge(*cx), "resource"));
}

TEST(Suite, SingleUnderPausesNeverBreaksOwnerOrMutex) {
  // The correct release is compare-and-delete and validity is judged on the
  // holder's own clock: a pause breaks the resource, not these two.
  const auto result = rc::detail::checkTestable(
      [&] {
        const Judged j = judge(*scenarios("single", some_pauses(500, 3000)));
        RC_ASSERT(!violates(j, "owner"));
        RC_ASSERT(!violates(j, "mutex"));
        RC_ASSERT(!violates(j, "expiry"));
      },
      rc::detail::TestMetadata{}, params(200));
  EXPECT_TRUE(result.template is<rc::detail::SuccessResult>());
}

TEST(Suite, FencedUnderPausesKeepsTheResourceSafe) {
  // The pauses that make single write stale (the test above) are refused by
  // the resource under fenced: the holder still acts on a stale belief
  // (validity), but nothing stale is accepted and tokens only grow.
  int stale_acts = 0;
  const auto result = rc::detail::checkTestable(
      [&] {
        const Judged j = judge(*scenarios("fenced", some_pauses(1001, 3000)));
        stale_acts += violates(j, "validity");
        RC_ASSERT(!violates(j, "resource"));
        RC_ASSERT(!violates(j, "fencing"));
      },
      rc::detail::TestMetadata{}, params(300));
  EXPECT_TRUE(result.template is<rc::detail::SuccessResult>());
  EXPECT_GT(stale_acts, 0);  // the pauses did bite: fencing was what saved it
}

TEST(Shrink, RemovesClientsBelowTheFaultedOneByRenumbering) {
  // A pause on client-2 of three: the minimal story needs two clients, so
  // the shrinker must remove client-0 or client-1 and rename client-2.
  Scenario s;
  s.world = chaos::default_world("del-unchecked");
  s.world.seed = 1;
  s.world.clients = 3;
  Fault pause;
  pause.kind = FaultKind::kPause;
  pause.at_ms = 816;
  pause.target = "client-2";
  pause.duration_ms = 1347;
  s.faults = {pause};
  ASSERT_TRUE(violates(judge(s), "owner")) << "this world no longer breaks owner: pick another";
  ShrinkStats stats;
  const Scenario small = shrink(s, "owner", 200, &stats);
  EXPECT_TRUE(violates(judge(small), "owner")) << chaos::format_scenario(small);
  EXPECT_EQ(small.world.clients, 2) << chaos::format_scenario(small);
  ASSERT_EQ(small.faults.size(), 1u);
  EXPECT_TRUE(small.faults[0].target == "client-0" || small.faults[0].target == "client-1")
      << small.faults[0].target;
  EXPECT_EQ(stats.clients_before, 3);
  EXPECT_EQ(stats.clients_after, 2);
}

TEST(RunCell, FindsTheLowestViolatingSeedWhateverTheJobs) {
  CellSpec spec;
  spec.strategy = "del-unchecked";
  spec.faults_label = "pause";
  spec.classes = {FaultKind::kPause};
  spec.seeds = 200;
  spec.shrink_runs_max = 100;
  const CellResult one = run_cell(spec, 1, nullptr);
  const CellResult two = run_cell(spec, 2, nullptr);
  ASSERT_TRUE(one.violated);
  EXPECT_EQ(one.seed, two.seed);
  EXPECT_EQ(one.seeds_run, two.seeds_run);
  ASSERT_FALSE(one.counterexamples.empty());
  ASSERT_EQ(one.counterexamples.size(), two.counterexamples.size());
  for (size_t i = 0; i < one.counterexamples.size(); ++i) {
    EXPECT_EQ(one.counterexamples[i].trace, two.counterexamples[i].trace);
    // The written expectation matches a fresh run of the shrunk scenario.
    const Judged j = judge(one.counterexamples[i].scenario);
    EXPECT_EQ(format_trace(j.outcome.trace_hash), one.counterexamples[i].scenario.expect->trace);
    EXPECT_TRUE(violates(j, one.counterexamples[i].property));
    EXPECT_LE(one.counterexamples[i].stats.faults_after, one.counterexamples[i].stats.faults_before);
  }
}

TEST(RunCell, ShardsPartitionTheSeedsAndFindTheSameLowestViolation) {
  CellSpec spec;
  spec.strategy = "single";
  spec.faults_label = "clock_jump";
  spec.classes = {FaultKind::kClockJump};
  spec.seeds = 30;
  spec.shrink_runs_max = 20;
  const CellResult whole = run_cell(spec, 2, nullptr);
  ASSERT_TRUE(whole.violated);
  std::set<uint64_t> seeds;
  uint64_t lowest = UINT64_MAX;
  for (int k = 0; k < 3; ++k) {
    CellSpec shard = spec;
    shard.shard_index = k;
    shard.shard_count = 3;
    for (int i = 0; i < 10; ++i) EXPECT_TRUE(seeds.insert(cell_seed(shard, i)).second);
    const CellResult r = run_cell(shard, 1, nullptr);
    if (r.violated) lowest = std::min(lowest, r.seed);
  }
  EXPECT_EQ(seeds.size(), 30u);
  EXPECT_EQ(*seeds.begin(), 1u);
  EXPECT_EQ(*seeds.rbegin(), 30u);
  EXPECT_EQ(lowest, whole.seed);
}

TEST(RunCell, CleanCellCountsEverySeed) {
  CellSpec spec;
  spec.strategy = "single";
  spec.faults_label = "none";
  spec.seeds = 40;
  spec.check_determinism = true;
  const CellResult r = run_cell(spec, 2, nullptr);
  EXPECT_FALSE(r.violated);
  EXPECT_FALSE(r.nondeterministic) << r.nondeterminism;
  EXPECT_EQ(r.seeds_run, 40);
  EXPECT_GT(r.lock_cycles, 40u * 10);
}

}  // namespace
}  // namespace lockcheck::properties
