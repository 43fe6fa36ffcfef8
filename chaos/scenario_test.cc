#include "chaos/scenario.h"

#include <gtest/gtest.h>

#include <set>

#include "chaos/run.h"
#include "chaos/swarm.h"

namespace lockcheck::chaos {
namespace {

const char* kFull = R"({
  "lockcheck_scenario": 1,
  "strategy": "single",
  "seed": "0x5eed",
  "nodes": 3, "clients": 2, "ttl_ms": 10000, "duration_ms": 60000,
  "workload": { "acquires_per_client": 5, "hold_ms": 200, "think_ms": 50 },
  "network": { "latency_ms": [1, 5], "drop": 0.25, "request_timeout_ms": 50 },
  "persistence": "none",
  "faults": [
    { "at_ms": 100, "kind": "partition", "groups": [["client-0", "node-0", "node-1"], ["client-1", "node-2"]], "duration_ms": 30000 },
    { "at_ms": 150, "kind": "clock_jump", "target": "node-2", "delta_ms": -20000 },
    { "at_ms": 200, "kind": "pause", "target": "client-0", "duration_ms": 15000 },
    { "at_ms": 300, "kind": "node_crash", "target": "node-1", "restart_after_ms": 100 },
    { "at_ms": 0,   "kind": "drift", "target": "client-1", "ppm": 500 },
    { "at_ms": 10,  "kind": "delay", "duration_ms": 100, "extra_latency_ms": 40 },
    { "at_ms": 20,  "kind": "drop", "duration_ms": 100, "drop": 0.5 },
    { "at_ms": 30,  "kind": "crash", "target": "client-1" }
  ],
  "expect": { "verdict": "violated", "property": "mutex", "trace": "00000000deadbeef" }
})";

TEST(Scenario, ParsesEveryFieldAndSortsFaults) {
  auto s = parse_scenario(kFull, "t.json");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->world.seed, 0x5eedu);
  EXPECT_EQ(s->world.nodes, 3);
  EXPECT_EQ(s->world.network.drop_ppm, 250'000);
  ASSERT_EQ(s->faults.size(), 8u);
  EXPECT_EQ(s->faults[0].kind, FaultKind::kDrift);
  EXPECT_EQ(s->faults[0].at_ms, 0);
  EXPECT_EQ(s->faults.back().kind, FaultKind::kNodeCrash);
  EXPECT_EQ(*s->faults.back().restart_after_ms, 100);
  EXPECT_FALSE(s->faults[3].restart_after_ms.has_value());  // the crash at 30 ms: no restart
  ASSERT_TRUE(s->expect.has_value());
  EXPECT_EQ(s->expect->property, "mutex");
}

TEST(Scenario, FormatParsesBackToTheSameScenario) {
  auto s = parse_scenario(kFull, "t.json");
  ASSERT_TRUE(s.ok());
  auto again = parse_scenario(format_scenario(s.value()), "again");
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->faults, s->faults);
  EXPECT_EQ(format_scenario(again.value()), format_scenario(s.value()));
}

struct BadCase {
  const char* json;
  const char* message;  // must appear in the error
};

TEST(Scenario, RejectsBadInputWithOneClearLine) {
  const BadCase cases[] = {
      {"", "not valid JSON"},
      {"{", "not valid JSON"},
      {"[]", "must be an object"},
      {R"({"strategy": "single", "seed": 1})", "lockcheck_scenario: missing"},
      {R"({"lockcheck_scenario": 2, "strategy": "single", "seed": 1})", "unsupported version"},
      {R"({"lockcheck_scenario": 1, "strategy": "nope", "seed": 1})", "unknown strategy 'nope'"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "colour": 3})", "colour: unknown key"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": "0xZZ"})", "seed: must be"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "clients": 0})", "clients: must be in"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "ttl_ms": "1000"})", "ttl_ms: must be an integer"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "faults": [{"at_ms": 1, "kind": "gc", "target": "client-0"}]})",
       "faults[0].kind: unknown fault kind 'gc'"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "faults": [{"at_ms": 1, "kind": "duplicate", "duration_ms": 5, "target": "node-0"}]})",
       "faults[0].target: unknown key"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "faults": [{"at_ms": 1, "kind": "pause", "target": "client-0", "duration_ms": 5, "during": "write"}]})",
       "faults[0].during: must be \"acquire\", \"release\", \"extend\" or \"check\", got 'write'"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "faults": [{"at_ms": 1, "kind": "pause", "target": "node-0", "duration_ms": 5, "during": "release"}]})",
       "faults[0].during: only a client's pause can wait for an operation"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "faults": [{"at_ms": 1, "kind": "pause", "target": "client-7", "duration_ms": 5}]})",
       "faults[0].target: unknown target 'client-7'"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "faults": [{"at_ms": 1, "kind": "crash", "target": "node-0"}]})",
       "not allowed for this fault kind"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "faults": [{"at_ms": 1, "kind": "pause", "target": "client-0"}]})",
       "faults[0].duration_ms: missing"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "faults": [{"at_ms": 1, "kind": "pause", "target": "client-0", "duration_ms": 5, "delta_ms": 1}]})",
       "faults[0].delta_ms: unknown key"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "network": {"drop": 1.5}})", "network.drop: must be"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "persistence": "aof"})",
       "persistence: must be \"none\" or an appendfsync policy"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "expect": {"verdict": "maybe"}})", "expect.verdict"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "persistence": "appendonly"})",
       "persistence: must be \"none\" or an appendfsync policy: \"always\", \"everysec\" or \"no\" (got 'appendonly')"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "persistence": 1})", "persistence: must be a string"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "replicas": 5})", "replicas: must be in [0, 4]"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "replicas": 1, "replication_lag_ms": [5, 1]})",
       "replication_lag_ms: max must not be below min"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "replication_lag_ms": 3})", "replication_lag_ms: must be [min, max]"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "faults": [{"at_ms": 1, "kind": "failover", "target": "node-0"}]})",
       "faults[0].kind: failover needs replicas"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "replicas": 1, "faults": [{"at_ms": 1, "kind": "failover", "target": "node-0-replica-1"}]})",
       "faults[0].target: target 'node-0-replica-1' is not allowed for this fault kind"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "replicas": 1, "faults": [{"at_ms": 1, "kind": "failover", "target": "node-0", "restart_after_ms": 5}]})",
       "faults[0].restart_after_ms: unknown key"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "replicas": 1, "faults": [{"at_ms": 1, "kind": "pause", "target": "node-0-replica-2", "duration_ms": 5}]})",
       "unknown target 'node-0-replica-2' (targets: client-0..1, node-0..0, node-N-replica-1..1)"},
  };
  for (const auto& c : cases) {
    auto s = parse_scenario(c.json, "bad.json");
    ASSERT_FALSE(s.ok()) << c.json;
    const std::string& msg = s.error().message;
    EXPECT_NE(msg.find(c.message), std::string::npos) << "got: " << msg;
    EXPECT_EQ(msg.rfind("bad.json: ", 0), 0u) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    EXPECT_EQ(msg.find(": ."), std::string::npos) << "a path with a stray leading dot: " << msg;
  }
}

// The property names a replay knows (the checkers' catalog, which chaos/
// cannot see).
constexpr std::string_view kProperties[] = {"mutex", "resource", "validity"};

TEST(Scenario, RejectsWhatWouldOtherwiseBeSilentlyWrong) {
  const BadCase cases[] = {
      // A top-level key read by int_or: the path has no leading dot.
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "nodes": 0})", "bad.json: nodes: must be in [1, 15]"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "replicas": 9})", "bad.json: replicas: must be in [0, 4]"},
      // Property names the checkers do not know (a typo once made the
      // replay exit 3, or pass).
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "expect": {"verdict": "violated", "property": "mutx"}})",
       "bad.json: expect.property: unknown property 'mutx' (known: mutex, resource, validity)"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "expect": {"verdict": "holds", "holds": ["mutex", "fencng"]}})",
       "bad.json: expect.holds[1]: unknown property 'fencng'"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "expect": {"verdict": "holds", "holds": ["mutex", "mutex"]}})",
       "bad.json: expect.holds[1]: 'mutex' is listed twice"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "expect": {"verdict": "holds", "property": "mutex"}})",
       "bad.json: expect.property: given, but the verdict is \"holds\""},
      // Duplicate keys: JSON leaves them undefined, nlohmann kept the last.
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "ttl_ms": 1000, "ttl_ms": 5})", "bad.json: ttl_ms: duplicate key"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "workload": {"hold_ms": 1, "hold_ms": 2}})",
       "bad.json: workload.hold_ms: duplicate key"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "faults": [{"at_ms": 1, "kind": "crash", "target": "client-0"}, {"at_ms": 1, "kind": "crash", "target": "client-0", "target": "client-1"}]})",
       "bad.json: faults[1].target: duplicate key"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "faults": [{"at_ms": 1, "kind": "partition", "duration_ms": 5, "groups": [["client-0"], ["node-0"]], "one_way": true, "one_way": false}]})",
       "bad.json: faults[0].one_way: duplicate key"},
      // A fault the run would never reach.
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "duration_ms": 1000, "faults": [{"at_ms": 1000, "kind": "crash", "target": "client-0"}]})",
       "bad.json: faults[0].at_ms: at or after duration_ms (1000): the fault would never fire"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "duration_ms": 1000, "faults": [{"at_ms": 5, "kind": "crash", "target": "client-0"}, {"at_ms": 99999, "kind": "crash", "target": "client-1"}]})",
       "bad.json: faults[1].at_ms: at or after duration_ms (1000)"},
      // Numbers past what a double holds: once an uncaught exception (exit 134).
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "ttl_ms": 1e999})", "bad.json: number overflow parsing '1e999'"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "network": {"drop": -1e999}})", "bad.json: number overflow"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "ttl_ms": 1e300})", "bad.json: ttl_ms: must be an integer"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "ttl_ms": 99999999999999999999})", "bad.json: ttl_ms: must be an integer"},
      // Too big to run: refused up front, not run until memory runs out.
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "clients": 64, "duration_ms": 86400000, "workload": {"acquires_per_client": 10000}})",
       "bad.json: workload.acquires_per_client: clients x acquires_per_client is 640000 lock cycles, more than the 50000"},
      {R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "clients": 10, "workload": {"acquires_per_client": 5000, "writes_per_hold": 100}})",
       "bad.json: workload.writes_per_hold: clients x acquires_per_client x writes_per_hold is 5000000 resource writes"},
      // Control characters stay escaped: the message stays one line.
      {"{\"lockcheck_scenario\": 1, \"strategy\": \"sin\\ngle\\u0000\", \"seed\": 1}",
       "bad.json: strategy: unknown strategy 'sin\\ngle\\x00' (known: single, "},
      {"{\"lockcheck_scenario\": 1, \"strategy\": \"single\", \"seed\": 1, \"a\\r\\tb\": 1}", "bad.json: a\\r\\tb: unknown key"},
      {"{\"lockcheck_scenario\": 1, \"strategy\": \"single\", \"seed\": 1, \"faults\": [{\"at_ms\": 1, \"kind\": \"crash\", \"target\": \"client-0\\n\"}]}",
       "bad.json: faults[0].target: unknown target 'client-0\\n'"},
  };
  for (const auto& c : cases) {
    auto s = parse_scenario(c.json, "bad.json", kProperties);
    if (s.ok()) {
      ADD_FAILURE() << "accepted: " << c.json;
      continue;
    }
    const std::string& msg = s.error().message;
    EXPECT_NE(msg.find(c.message), std::string::npos) << "want: " << c.message << "\ngot:  " << msg;
    EXPECT_EQ(msg.find_first_of(std::string("\n\r\0", 3)), std::string::npos) << msg;
  }
  // The origin is part of the message, and escaped too.
  auto s = parse_scenario("{", "two\nlines.json");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message.rfind("two\\nlines.json: not valid JSON", 0), 0u) << s.error().message;
}

TEST(Scenario, AcceptsKnownPropertiesAndTheLargestScenarioItAllows) {
  auto ok = parse_scenario(
      R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "clients": 50, "duration_ms": 1000,
          "workload": {"acquires_per_client": 1000, "writes_per_hold": 10},
          "faults": [{"at_ms": 999, "kind": "crash", "target": "client-0"}],
          "expect": {"verdict": "violated", "property": "mutex", "holds": ["resource", "validity"]}})",
      "ok.json", kProperties);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->expect->holds, (std::vector<std::string>{"resource", "validity"}));
  // Without a catalog, any name goes (chaos/ alone cannot tell).
  EXPECT_TRUE(parse_scenario(R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1,
                                 "expect": {"verdict": "violated", "property": "anything"}})",
                             "any.json")
                  .ok());
  // The same key in two objects is no duplicate.
  EXPECT_TRUE(parse_scenario(R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1,
                                 "faults": [{"at_ms": 1, "kind": "crash", "target": "client-0"},
                                            {"at_ms": 2, "kind": "crash", "target": "client-1"}]})",
                             "two.json")
                  .ok());
}

TEST(Scenario, DeepNestingIsOneLineNotAnOutOfMemory) {
  const size_t depth = 200'000;
  auto deep = parse_scenario(std::string(depth, '[') + std::string(depth, ']'), "deep.json");
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.error().message, "deep.json: must be an object");
  // The path of a duplicate is built only when there is one.
  std::string nested = R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "description": "x", "faults": [)";
  for (int i = 0; i < 3; ++i) nested += "[";
  nested += R"({"a": 1, "a": 2})";
  for (int i = 0; i < 3; ++i) nested += "]";
  nested += "]}";
  auto dup = parse_scenario(nested, "dup.json");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().message, "dup.json: faults[0][0][0][0].a: duplicate key");
}

TEST(Describe, PauseDuringAnOperationReadsAsPlainEnglish) {
  Fault f;
  f.at_ms = 200;
  f.kind = FaultKind::kPause;
  f.target = sim::ProcessId::client(1);
  f.duration_ms = 1500;
  EXPECT_EQ(describe(f), "at 200 ms: pause client-1 for 1500 ms");
  f.during = During::kAcquire;
  EXPECT_EQ(describe(f), "at 200 ms: pause client-1 for 1500 ms right after it next sends an acquire command");
  f.during = During::kRelease;
  EXPECT_EQ(describe(f), "at 200 ms: pause client-1 for 1500 ms right after it next sends a release command");
  f.during = During::kExtend;
  EXPECT_EQ(describe(f), "at 200 ms: pause client-1 for 1500 ms right after it next sends an extend command");
  f.during = During::kCheck;
  EXPECT_EQ(describe(f), "at 200 ms: pause client-1 for 1500 ms right after its next passed validity check");
}

TEST(Escaped, KeepsPrintableTextAndEscapesControlCharacters) {
  EXPECT_EQ(escaped("client-0 ok"), "client-0 ok");
  EXPECT_EQ(escaped(std::string("a\nb\tc\rd\0e\x7f\x1b", 11)), "a\\nb\\tc\\rd\\x00e\\x7f\\x1b");
  EXPECT_EQ(escaped("h\xc3\xa9"), "h\xc3\xa9");  // UTF-8 passes through
}

const char* kReplicated = R"({
  "lockcheck_scenario": 1,
  "strategy": "single",
  "seed": 9,
  "nodes": 2,
  "persistence": "everysec",
  "replicas": 2, "replication_lag_ms": [3, 40],
  "faults": [
    { "at_ms": 500, "kind": "failover", "target": "node-1" },
    { "at_ms": 100, "kind": "node_crash", "target": "node-0-replica-2", "restart_after_ms": 50 },
    { "at_ms": 200, "kind": "pause", "target": "node-1-replica-1", "duration_ms": 50 },
    { "at_ms": 300, "kind": "partition", "groups": [["node-0", "client-0"], ["node-0-replica-1", "client-1"]], "duration_ms": 10 }
  ]
})";

TEST(Scenario, ParsesPersistenceReplicasAndFailover) {
  auto s = parse_scenario(kReplicated, "r.json");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->world.persistence, sim::Persistence::kEverysec);
  EXPECT_EQ(s->world.replicas, 2);
  EXPECT_EQ(s->world.replication_lag_min, Millis(3));
  EXPECT_EQ(s->world.replication_lag_max, Millis(40));
  ASSERT_EQ(s->faults.size(), 4u);
  EXPECT_EQ(s->faults.back().kind, FaultKind::kFailover);
  EXPECT_EQ(describe(s->faults.back()), "at 500 ms: failover node-1");
  auto again = parse_scenario(format_scenario(s.value()), "again");
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(format_scenario(again.value()), format_scenario(s.value()));
  for (const char* policy : {"none", "always", "everysec", "no"}) {
    const std::string text = std::string(R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1, "persistence": ")") +
                             policy + "\"}";
    auto p = parse_scenario(text, "p.json");
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(sim::persistence_name(p->world.persistence), policy);
  }
  // It runs, twice to the same trace.
  EXPECT_EQ(run_scenario(s.value()).trace_hash, run_scenario(s.value()).trace_hash);
}

TEST(Scenario, StandaloneFilesDoNotMentionReplicas) {
  auto s = parse_scenario(kFull, "t.json");
  ASSERT_TRUE(s.ok());
  const std::string text = format_scenario(s.value());
  EXPECT_EQ(text.find("replica"), std::string::npos) << text;
}

TEST(Generate, FailoverWorldsGetReplicasOthersDoNot) {
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    const Scenario with = generate("single", {FaultKind::kFailover}, seed);
    EXPECT_GE(with.world.replicas, 1);
    EXPECT_LE(with.world.replication_lag_min, with.world.replication_lag_max);
    const Scenario mixed = generate("single", {FaultKind::kPause, FaultKind::kFailover}, seed);
    EXPECT_GE(mixed.world.replicas, 1);
    const Scenario without = generate("single", {FaultKind::kPause, FaultKind::kNodeCrash}, seed);
    EXPECT_EQ(without.world.replicas, 0);
    auto parsed = parse_scenario(format_scenario(mixed), "gen");
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  }
}

TEST(Seed, ParsesDecimalAndHexOnly) {
  EXPECT_EQ(parse_seed("0x5eed"), 0x5eedu);
  EXPECT_EQ(parse_seed("42"), 42u);
  EXPECT_EQ(parse_seed("18446744073709551615"), UINT64_MAX);
  EXPECT_FALSE(parse_seed("18446744073709551616").has_value());
  EXPECT_FALSE(parse_seed("-1").has_value());
  EXPECT_FALSE(parse_seed("0x").has_value());
  EXPECT_FALSE(parse_seed("12abc").has_value());
  EXPECT_EQ(format_seed(0x5eed), "0x5eed");
}

TEST(FaultClasses, ParsesListsAndNamesTheUnknownOne) {
  auto all = parse_fault_classes("all");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), fault_catalog().size());
  auto none = parse_fault_classes("none");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  auto two = parse_fault_classes("pause,drop,pause");
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(*two, (std::vector<FaultKind>{FaultKind::kPause, FaultKind::kDrop}));
  auto bad = parse_fault_classes("pause,gc");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("'gc'"), std::string::npos);
}

TEST(Generate, IsAFunctionOfTheSeedAndValid) {
  const std::vector<FaultKind> all = parse_fault_classes("all").value();
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    Scenario a = generate("single", all, seed);
    Scenario b = generate("single", all, seed);
    ASSERT_EQ(format_scenario(a), format_scenario(b));
    ASSERT_GE(a.faults.size(), 1u);
    ASSERT_LE(a.faults.size(), 3u);
    // Every generated scenario survives its own file format.
    auto parsed = parse_scenario(format_scenario(a), "gen");
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  }
  EXPECT_TRUE(generate("single", {}, 5).faults.empty());
}

// Same scenario => same trace hash, over many seeds and every fault class.
TEST(Swarm, EachSeedDrawsItsOwnNonEmptySubset) {
  std::set<std::vector<FaultKind>> seen;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    const auto kinds = swarm_classes(seed);
    ASSERT_FALSE(kinds.empty());
    EXPECT_EQ(kinds, swarm_classes(seed));  // a function of the seed
    seen.insert(kinds);
  }
  EXPECT_GT(seen.size(), 50u);  // really different mixes, not one
}

TEST(Determinism, EverySeedRunsTwiceToTheSameTrace) {
  const std::vector<FaultKind> all = parse_fault_classes("all").value();
  std::set<uint64_t> distinct;
  for (uint64_t seed = 1; seed <= 150; ++seed) {
    const Scenario s = generate(seed % 2 ? "single" : "del-unchecked", all, seed);
    const auto first = run_scenario(s);
    const auto second = run_scenario(s);
    ASSERT_EQ(first.trace_hash, second.trace_hash) << "seed " << seed;
    ASSERT_EQ(first.history.events.size(), second.history.events.size()) << "seed " << seed;
    distinct.insert(first.trace_hash);
  }
  // The hash really depends on the run (not a constant).
  EXPECT_GT(distinct.size(), 140u);
}


// Replicas, AOFs and failovers mixed with the other faults: still a
// function of the scenario (and, under the sanitizers, memory-clean).
TEST(Determinism, ReplicatedAndPersistentWorldsRunTwiceToTheSameTrace) {
  const std::vector<FaultKind> classes = {FaultKind::kFailover, FaultKind::kNodeCrash, FaultKind::kPartition,
                                          FaultKind::kPause, FaultKind::kClockJump, FaultKind::kDelay};
  const sim::Persistence policies[] = {sim::Persistence::kNone, sim::Persistence::kAlways, sim::Persistence::kEverysec,
                                       sim::Persistence::kNo};
  std::set<uint64_t> distinct;
  for (uint64_t seed = 1; seed <= 120; ++seed) {
    Scenario s = generate(seed % 2 ? "single" : "del-unchecked", classes, seed);
    s.world.persistence = policies[seed % 4];
    ASSERT_GE(s.world.replicas, 1);
    const auto first = run_scenario(s);
    const auto second = run_scenario(s);
    ASSERT_FALSE(first.event_limit_hit) << "seed " << seed;
    ASSERT_EQ(first.trace_hash, second.trace_hash) << "seed " << seed;
    ASSERT_EQ(first.history.events.size(), second.history.events.size()) << "seed " << seed;
    distinct.insert(first.trace_hash);
  }
  EXPECT_GT(distinct.size(), 110u);
}

}  // namespace
}  // namespace lockcheck::chaos

namespace lockcheck::chaos {
namespace {

// "trace_format": absent is 1; another version is kept and written back, so
// a re-recorded file says which event order its trace belongs to.
TEST(Scenario, TraceFormatDefaultsToOneAndRoundTrips) {
  const std::string head = R"({"lockcheck_scenario": 1, "strategy": "single", "seed": 1)";
  auto plain = parse_scenario(head + "}", "a.json");
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_EQ(plain->trace_format, 1);
  EXPECT_EQ(format_scenario(plain.value()).find("trace_format"), std::string::npos);
  auto two = parse_scenario(head + R"(, "trace_format": 2})", "b.json");
  ASSERT_TRUE(two.ok()) << two.error().message;
  EXPECT_EQ(two->trace_format, 2);
  auto again = parse_scenario(format_scenario(two.value()), "c.json");
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->trace_format, 2);
  auto zero = parse_scenario(head + R"(, "trace_format": 0})", "d.json");
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.error().message.find("trace_format: must be in [1, 1000]"), std::string::npos) << zero.error().message;
}

}  // namespace
}  // namespace lockcheck::chaos
