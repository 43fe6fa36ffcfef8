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
          f.target = sim::ProcessId::client(p.target % clients);
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

bool violates(const Judged& j, Property property) {
  for (const auto& v : j.violations) {
    if (v.property == property) return true;
  }
  return false;
}

// Runs a property expected to FAIL (the strategy is broken under these
// faults) and returns the shrunk counterexample, or nullopt if it held.
std::optional<Scenario> find_violation(rc::Gen<Scenario> gen, Property property, int max_success) {
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
        for (const auto& v : j.violations) RC_FAIL(property_name(v.property) + ": " + v.explanation);
        RC_ASSERT(!j.outcome.event_limit_hit);
      },
      rc::detail::TestMetadata{}, params(500));
  ASSERT_TRUE(result.template is<rc::detail::SuccessResult>()) << "single violated a property without faults";
  EXPECT_GE(runs, 500);
  EXPECT_GT(cycles, 500u);  // the scenarios really exercised the lock
}

TEST(Suite, DelUncheckedUnderPausesIsCaughtViolatingOwner) {
  auto cx = find_violation(scenarios("del-unchecked", some_pauses(500, 3000)), Property::kOwner, 300);
  ASSERT_TRUE(cx.has_value()) << "del-unchecked was never caught deleting another client's lock";
  // Shrunk small: one pause, two clients, a cycle or two each.
  EXPECT_EQ(cx->faults.size(), 1u) << chaos::format_scenario(*cx);
  EXPECT_EQ(cx->world.clients, 2) << chaos::format_scenario(*cx);
  EXPECT_LE(cx->world.workload.acquires_per_client, 2) << chaos::format_scenario(*cx);
  // And it replays: same trace, same violation.
  const Judged a = judge(*cx), b = judge(*cx);
  EXPECT_EQ(a.outcome.trace_hash, b.outcome.trace_hash);
  EXPECT_TRUE(violates(a, Property::kOwner));
}

TEST(Suite, SingleUnderPausesLongerThanTheTtlIsCaughtViolatingResource) {
  auto cx = find_violation(scenarios("single", some_pauses(1001, 3000)), Property::kResource, 300);
  ASSERT_TRUE(cx.has_value()) << "the GC-pause stale write was never caught";
  EXPECT_EQ(cx->faults.size(), 1u) << chaos::format_scenario(*cx);
  EXPECT_EQ(cx->world.clients, 2) << chaos::format_scenario(*cx);
  EXPECT_LE(cx->world.workload.acquires_per_client, 2) << chaos::format_scenario(*cx);
  EXPECT_TRUE(violates(judge(*cx), Property::kResource));
}

TEST(Suite, SingleUnderPausesNeverBreaksOwnerOrMutex) {
  // The correct release is compare-and-delete and validity is judged on the
  // holder's own clock: a pause breaks the resource, not these two.
  const auto result = rc::detail::checkTestable(
      [&] {
        const Judged j = judge(*scenarios("single", some_pauses(500, 3000)));
        RC_ASSERT(!violates(j, Property::kOwner));
        RC_ASSERT(!violates(j, Property::kMutex));
        RC_ASSERT(!violates(j, Property::kExpiry));
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
        stale_acts += violates(j, Property::kValidity);
        RC_ASSERT(!violates(j, Property::kResource));
        RC_ASSERT(!violates(j, Property::kFencing));
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
  pause.target = sim::ProcessId::client(2);
  pause.duration_ms = 1347;
  s.faults = {pause};
  ASSERT_TRUE(violates(judge(s), Property::kOwner)) << "this world no longer breaks owner: pick another";
  ShrinkStats stats;
  const Scenario small = shrink(s, Property::kOwner, 200, &stats);
  EXPECT_TRUE(violates(judge(small), Property::kOwner)) << chaos::format_scenario(small);
  EXPECT_EQ(small.world.clients, 2) << chaos::format_scenario(small);
  ASSERT_EQ(small.faults.size(), 1u);
  EXPECT_TRUE(small.faults[0].target == sim::ProcessId::client(0) || small.faults[0].target == sim::ProcessId::client(1))
      << chaos::describe(small.faults[0]);
  EXPECT_EQ(stats.clients_before, 3);
  EXPECT_EQ(stats.clients_after, 2);
}

// single under clock jumps breaks mutex (and validity) first at seed 0x2,
// resource only at seed 0x18: a cell that stopped at its first violating
// seed judged resource over two seeds and printed it `ok`.
CellSpec clock_jump_cell(int seeds) {
  CellSpec spec;
  spec.strategy = "single";
  spec.faults_label = "clock_jump";
  spec.classes = {FaultKind::kClockJump};
  spec.seeds = seeds;
  spec.shrink_runs_max = 30;
  return spec;
}

// Everything a cell reports, for comparing two runs of it.
std::string describe(const CellResult& r) {
  std::string out = "seeds_run=" + std::to_string(r.seeds_run) + " cycles=" + std::to_string(r.lock_cycles) +
                    " events=" + std::to_string(r.events) + " stopped_early=" + std::to_string(r.stopped_early) +
                    " violated=" + std::to_string(r.violated) + " seed=" + std::to_string(r.seed) +
                    " fault=" + r.nondeterminism + "\n";
  for (const auto& p : r.properties) {
    out += property_name(p.property) + " judged=" + std::to_string(p.judged) + " " + std::to_string(p.seeds_violated) + "/" +
           std::to_string(p.seeds_judged) + " seed=" + std::to_string(p.seed) + " " + p.explanation + "\n";
    if (p.counterexample) {
      out += "  trace=" + format_trace(p.counterexample->trace) + " runs=" +
             std::to_string(p.counterexample->stats.runs) + " " + p.counterexample->explanation + "\n" +
             chaos::format_scenario(p.counterexample->scenario);
    }
  }
  return out;
}

TEST(RunCell, JudgesEveryPropertyOverEverySeedAndShrinksEachFromItsOwnLowestSeed) {
  const CellResult r = run_cell(clock_jump_cell(30), 2, nullptr);
  ASSERT_FALSE(r.nondeterministic) << r.nondeterminism;
  EXPECT_EQ(r.seeds_run, 30);
  EXPECT_FALSE(r.stopped_early);
  ASSERT_TRUE(r.violated);
  EXPECT_EQ(r.seed, 0x2u);
  const PropertyResult* mutex = r.find(Property::kMutex);
  const PropertyResult* resource = r.find(Property::kResource);
  ASSERT_NE(mutex, nullptr);
  ASSERT_NE(resource, nullptr);
  EXPECT_EQ(mutex->seed, 0x2u);
  // resource held at seed 0x2 and broke only later: its own lowest seed.
  ASSERT_TRUE(resource->violated()) << describe(r);
  EXPECT_EQ(resource->seed, 0x18u);
  EXPECT_EQ(find_violation(judge(cell_scenario(r.spec, 0x2)).violations, Property::kResource), nullptr);
  EXPECT_NE(find_violation(judge(cell_scenario(r.spec, 0x18)).violations, Property::kResource), nullptr);
  EXPECT_GE(mutex->seeds_violated, resource->seeds_violated);
  for (const auto& p : r.properties) {
    EXPECT_EQ(p.seeds_judged, 30) << property_name(p.property);
    EXPECT_LE(p.seeds_violated, p.seeds_judged) << property_name(p.property);
    EXPECT_EQ(p.counterexample.has_value(), p.violated()) << property_name(p.property);
    if (!p.violated()) continue;
    // The counterexample is this property's, shrunk from its own seed, and
    // it replays to the trace it names.
    const Counterexample& cx = *p.counterexample;
    EXPECT_NE(cx.scenario.description.find("shrunk from seed " + chaos::format_seed(p.seed)), std::string::npos)
        << cx.scenario.description;
    const Judged j = judge(cx.scenario);
    EXPECT_TRUE(violates(j, p.property)) << property_name(p.property);
    EXPECT_EQ(format_trace(j.outcome.trace_hash), cx.scenario.expect->trace);
    EXPECT_EQ(cx.scenario.expect->property, property_name(p.property));
    EXPECT_LE(cx.stats.faults_after, cx.stats.faults_before);
  }
  // The seeds counted are exactly those the property broke on.
  int resource_seeds = 0;
  for (int i = 0; i < 30; ++i) {
    resource_seeds += violates(judge(cell_scenario(r.spec, cell_seed(r.spec, i))), Property::kResource);
  }
  EXPECT_EQ(resource->seeds_violated, resource_seeds);
}

TEST(RunCell, ResultsDoNotDependOnTheJobs) {
  const CellSpec spec = clock_jump_cell(40);
  const std::string one = describe(run_cell(spec, 1, nullptr));
  EXPECT_EQ(one, describe(run_cell(spec, 2, nullptr)));
  EXPECT_EQ(one, describe(run_cell(spec, 5, nullptr)));
}

TEST(RunCell, StopsOnceEveryJudgedPropertyIsViolatedAfterTheHighestLowestSeed) {
  // Judging mutex (first broken at index 1) and resource (index 23), the
  // cell may stop after index 23, whatever the jobs.
  CellSpec spec = clock_jump_cell(200);
  spec.properties = {Property::kMutex, Property::kResource};
  for (int jobs : {1, 2}) {
    const CellResult r = run_cell(spec, jobs, nullptr);
    EXPECT_EQ(r.seeds_run, 24) << jobs;
    EXPECT_TRUE(r.stopped_early);
    EXPECT_FALSE(r.budget_hit);
    EXPECT_EQ(r.find(Property::kResource)->seed, 0x18u);
    EXPECT_EQ(r.find(Property::kResource)->seeds_violated, 1);
    EXPECT_FALSE(r.find(Property::kValidity)->judged);
    EXPECT_FALSE(r.find(Property::kValidity)->violated());
  }
  // One property still unbroken: every seed runs.
  spec.properties = {Property::kMutex, Property::kFencing};
  spec.seeds = 60;
  const CellResult all = run_cell(spec, 2, nullptr);
  EXPECT_EQ(all.seeds_run, 60);
  EXPECT_FALSE(all.stopped_early);
}

TEST(RunCell, ABudgetCountsAPrefixThatReplaysWithThatManySeeds) {
  CellSpec spec = clock_jump_cell(1'000'000);
  spec.budget_ms = 300;
  spec.shrink_runs_max = 10;
  const CellResult cut = run_cell(spec, 2, nullptr);
  ASSERT_TRUE(cut.budget_hit);
  ASSERT_GT(cut.seeds_run, 0);
  ASSERT_LT(cut.seeds_run, spec.seeds);
  for (const auto& p : cut.properties) EXPECT_EQ(p.seeds_judged, cut.seeds_run) << property_name(p.property);
  // The same cell asked for exactly that many seeds gives the same results.
  CellSpec again = spec;
  again.budget_ms = 0;
  again.seeds = cut.seeds_run;
  CellResult whole = run_cell(again, 1, nullptr);
  EXPECT_FALSE(whole.budget_hit);
  whole.spec = cut.spec;
  CellResult cut_copy = cut;
  cut_copy.budget_hit = false;
  EXPECT_EQ(describe(cut_copy), describe(whole));
}

TEST(RunCell, ShardsPartitionTheSeedsAndFindTheSameLowestViolations) {
  const CellSpec spec = clock_jump_cell(30);
  const CellResult whole = run_cell(spec, 2, nullptr);
  ASSERT_TRUE(whole.violated);
  std::set<uint64_t> seeds;
  std::vector<uint64_t> lowest(whole.properties.size(), UINT64_MAX);
  std::vector<int> violated(whole.properties.size(), 0);
  for (int k = 0; k < 3; ++k) {
    CellSpec shard = spec;
    shard.shard_index = k;
    shard.shard_count = 3;
    for (int i = 0; i < 10; ++i) EXPECT_TRUE(seeds.insert(cell_seed(shard, i)).second);
    const CellResult r = run_cell(shard, 1, nullptr);
    EXPECT_EQ(r.seeds_run, 10);
    for (size_t p = 0; p < r.properties.size(); ++p) {
      violated[p] += r.properties[p].seeds_violated;
      if (r.properties[p].violated()) lowest[p] = std::min(lowest[p], r.properties[p].seed);
    }
  }
  EXPECT_EQ(seeds.size(), 30u);
  EXPECT_EQ(*seeds.begin(), 1u);
  EXPECT_EQ(*seeds.rbegin(), 30u);
  for (size_t p = 0; p < whole.properties.size(); ++p) {
    EXPECT_EQ(violated[p], whole.properties[p].seeds_violated) << property_name(whole.properties[p].property);
    if (whole.properties[p].violated()) {
      EXPECT_EQ(lowest[p], whole.properties[p].seed) << property_name(whole.properties[p].property);
    }
  }
}

TEST(RunCell, CheckingDeterminismRunsEverySeedTwice) {
  CellSpec spec;
  spec.strategy = "single";
  spec.faults_label = "none";
  spec.seeds = 40;
  spec.check_determinism = true;
  const CellResult r = run_cell(spec, 2, nullptr);
  EXPECT_FALSE(r.violated);
  EXPECT_FALSE(r.nondeterministic) << r.nondeterminism;
  EXPECT_EQ(r.seeds_run, 40);
  EXPECT_EQ(r.seeds_checked_twice, 40);
  EXPECT_GT(r.lock_cycles, 40u * 10);
  // A violating cell is checked over every seed too, shrinks included.
  CellSpec broken = clock_jump_cell(30);
  broken.check_determinism = true;
  const CellResult b = run_cell(broken, 2, nullptr);
  EXPECT_FALSE(b.nondeterministic) << b.nondeterminism;
  EXPECT_TRUE(b.violated);
  EXPECT_EQ(b.seeds_checked_twice, 30);
  EXPECT_EQ(run_cell(clock_jump_cell(30), 2, nullptr).seeds_checked_twice, 0);
}

TEST(OutcomeDifference, ComparesEveryViolationNotJustTheTraceAndTheCount) {
  Judged a;
  a.outcome.trace_hash = 7;
  a.outcome.events_run = 100;
  a.violations = {Violation{Property::kMutex, sim::TrueInstant{} + std::chrono::milliseconds(5), "two holders"}};
  EXPECT_EQ(outcome_difference(a, a), "");
  Judged b = a;
  b.violations[0].explanation = "two other holders";
  EXPECT_NE(outcome_difference(a, b), "");
  b = a;
  b.violations[0].at += std::chrono::milliseconds(1);
  EXPECT_NE(outcome_difference(a, b), "");
  b = a;
  b.violations[0].property = Property::kResource;
  EXPECT_NE(outcome_difference(a, b), "");
  b = a;
  b.outcome.trace_hash = 8;
  EXPECT_NE(outcome_difference(a, b), "");
  b = a;
  b.outcome.events_run = 101;
  EXPECT_NE(outcome_difference(a, b), "");
  b = a;
  b.violations.clear();
  EXPECT_NE(outcome_difference(a, b), "");
}

}  // namespace
}  // namespace lockcheck::properties
