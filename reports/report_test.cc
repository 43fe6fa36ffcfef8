#include "reports/report.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>

#include <nlohmann/json.hpp>

namespace lockcheck::reports {
namespace {

using properties::PropertyResult;

// A cell with every catalog property judged and held over `seeds` seeds.
CellReport cell_of(const std::string& strategy, const std::string& faults, int seeds) {
  CellReport c;
  auto& r = c.result;
  r.spec.strategy = strategy;
  r.spec.faults_label = faults;
  r.spec.seeds = seeds;
  r.seeds_run = seeds;
  for (const auto& info : properties::property_catalog()) {
    PropertyResult p;
    p.property = std::string(info.id);
    p.seeds_judged = seeds;
    r.properties.push_back(p);
  }
  c.counterexample_files.assign(r.properties.size(), "");
  return c;
}

size_t index_of(const CellReport& c, const std::string& property) {
  for (size_t k = 0; k < c.result.properties.size(); ++k) {
    if (c.result.properties[k].property == property) return k;
  }
  ADD_FAILURE() << property;
  return 0;
}

// Marks `property` violated on `count` seeds, the lowest `seed`, with a
// counterexample file in `dir`.
void violate(CellReport* c, const std::string& property, uint64_t seed, int count, const std::string& dir) {
  const size_t k = index_of(*c, property);
  auto& r = c->result;
  PropertyResult& p = r.properties[k];
  p.seeds_violated = count;
  p.seed = seed;
  p.explanation = property + " broke at seed " + chaos::format_seed(seed);
  properties::Counterexample cx;
  cx.trace = 0xabc + seed;
  cx.explanation = "shrunk: " + p.explanation;
  cx.stats = properties::ShrinkStats{17, 2, 1, 3, 2, 5, 2};
  p.counterexample = cx;
  c->counterexample_files[k] = dir + "/" + counterexample_name(r, property);
  if (!r.violated || seed < r.seed) r.seed = seed;
  r.violated = true;
}

CellReport violated_cell() {
  CellReport c = cell_of("del-unchecked", "pause+drop", 60);
  violate(&c, "resource", 0x2a, 3, "out");
  violate(&c, "owner", 0x2c, 1, "out");
  return c;
}

CellReport clean_cell() { return cell_of("single", "none", 500); }

TEST(Matrix, OneRowPerCellWithSeedsPerPropertyMarksAndEachViolatedPropertysSeed) {
  const std::string m = matrix_text({clean_cell(), violated_cell()});
  EXPECT_EQ(m.rfind("strategy       faults      seeds  mutex", 0), 0u) << m;
  EXPECT_NE(m.find("single         none        500    ok "), std::string::npos) << m;
  EXPECT_NE(m.find(" holds\n"), std::string::npos) << m;
  EXPECT_NE(m.find("VIOLATED resource 0x2a, owner 0x2c\n"), std::string::npos) << m;
  // The violated row marks exactly the two violated properties.
  const auto row = m.substr(m.find("del-unchecked"));
  EXPECT_EQ(std::count(row.begin(), row.end(), 'V'), 3);  // two marks + the verdict
}

TEST(Matrix, ShowsNotJudgedHarnessFaultsAndAShortPrefix) {
  CellReport c = violated_cell();
  c.result.spec.seeds = 200;
  c.result.spec.properties = {"resource", "owner"};
  for (auto& p : c.result.properties) p.judged = p.property == "resource" || p.property == "owner";
  const std::string m = matrix_text({c});
  EXPECT_NE(m.find("60/200  -         VIOLATED  -         VIOLATED  -  "), std::string::npos) << m;
  c.result.nondeterministic = true;
  c.result.nondeterminism = "seed 0x5 ran twice with different outcomes";
  EXPECT_NE(matrix_text({c}).find("-         ?         -         ?         -         -         -         -         "
                                 "HARNESS FAULT: seed 0x5"),
            std::string::npos)
      << matrix_text({c});
}

TEST(ResultsJson, CarriesPerPropertyVerdictsSeedCountsAndCounterexamples) {
  auto j = nlohmann::json::parse(results_json({clean_cell(), violated_cell()}));
  EXPECT_EQ(j["lockcheck_results"], 2);
  ASSERT_EQ(j["cells"].size(), 2u);
  EXPECT_EQ(j["cells"][0]["verdict"], "holds");
  EXPECT_EQ(j["cells"][0]["seeds_run"], 500);
  EXPECT_EQ(j["cells"][0]["properties"]["mutex"]["verdict"], "held");
  EXPECT_EQ(j["cells"][0]["properties"]["mutex"]["seeds_judged"], 500);
  const auto& v = j["cells"][1];
  EXPECT_EQ(v["verdict"], "violated");
  EXPECT_EQ(v["seed"], "0x2a");
  EXPECT_EQ(v["properties"]["mutex"]["verdict"], "held");
  const auto& owner = v["properties"]["owner"];
  EXPECT_EQ(owner["verdict"], "violated");
  EXPECT_EQ(owner["seeds_judged"], 60);
  EXPECT_EQ(owner["seeds_violated"], 1);
  EXPECT_EQ(owner["seed"], "0x2c");
  EXPECT_EQ(owner["explanation"], "owner broke at seed 0x2c");
  EXPECT_EQ(owner["counterexample"]["trace"], "0000000000000ae8");
  // The file is named by its bare name: it sits beside results.json.
  EXPECT_EQ(owner["counterexample"]["file"], "del-unchecked-pause_drop-owner.json");
  EXPECT_EQ(owner["counterexample"]["shrink"]["runs"], 17);
  EXPECT_EQ(owner["counterexample"]["shrink"]["clients"], nlohmann::json::array({3, 2}));
}

TEST(ResultsJson, ParsesBackWhatItWrote) {
  const std::string text = results_json({clean_cell(), violated_cell()});
  auto back = parse_results(text, "out/results.json");
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ(matrix_text(back.value()), matrix_text({clean_cell(), violated_cell()}));
  EXPECT_EQ(results_json(back.value()), text);
  // Files resolve beside the results.json they were read from.
  EXPECT_EQ(back.value()[1].counterexample_files[index_of(back.value()[1], "owner")],
            "out/del-unchecked-pause_drop-owner.json");
  EXPECT_EQ(back.value()[1].counterexample_files[index_of(back.value()[1], "mutex")], "");
}

// results.json text of violated_cell() with one change.
std::string edited(const std::function<void(nlohmann::json&)>& edit) {
  auto j = nlohmann::json::parse(results_json({violated_cell()}));
  edit(j);
  return j.dump();
}

TEST(ResultsJson, MalformedOrImpossibleInputIsOneLineNamingTheFileAndTheValue) {
  using nlohmann::json;
  const std::string good = results_json({violated_cell()});
  std::string big_run = good;
  big_run.replace(big_run.find("\"seeds_run\": 60"), 15, "\"seeds_run\": 18446744073709551616");
  std::string overflow = good;
  overflow.replace(overflow.find("\"seeds_run\": 60"), 15, "\"seeds_run\": 1e999");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{", "not valid JSON"},
      {"[]", "not a lockcheck results.json"},
      {R"({"lockcheck_results": 1, "cells": []})", "lockcheck_results 1"},
      {R"({"lockcheck_results": 1e999, "cells": []})", "not valid JSON"},
      {overflow, "not valid JSON"},
      {big_run, "cells[0].seeds_run: must be a whole number"},
      {edited([](json& j) { j["cells"][0]["seeds_run"] = -5; }), "cells[0].seeds_run: must be a whole number in [0, 10000000], got -5"},
      {edited([](json& j) { j["cells"][0]["seeds_run"] = "7"; }), "cells[0].seeds_run: must be a whole number"},
      {edited([](json& j) { j["cells"][0]["seeds_run"] = 6.5; }), "cells[0].seeds_run: must be a whole number"},
      {edited([](json& j) { j["cells"][0]["seeds_run"] = 61; }), "cells[0].seeds_run: 61 of a cell whose shards have only 60 seeds"},
      {edited([](json& j) { j["cells"][0]["lock_cycles"] = -1; }), "cells[0].lock_cycles"},
      {edited([](json& j) { j["cells"][0].erase("seeds"); }), "cells[0].seeds: missing"},
      {edited([](json& j) { j["cells"][0]["verdict"] = "maybe"; }), "cells[0].verdict"},
      {edited([](json& j) { j["cells"][0]["verdict"] = "holds"; }), "holds, yet a property is violated"},
      {edited([](json& j) { j["cells"][0]["seed"] = "0x2c"; }), "cells[0].seed: is not the lowest"},
      {edited([](json& j) { j["cells"][0]["shard"] = "4/3"; }), "cells[0].shard"},
      {edited([](json& j) { j["cells"][0]["strategy"] = "two\nlines"; }), "cells[0].strategy"},
      {edited([](json& j) { j["cells"][0]["surprise"] = 1; }), "cells[0]: unknown key \"surprise\""},
      {edited([](json& j) { j["cells"][0]["properties"].erase("mutex"); }), "cells[0].properties.mutex: missing"},
      {edited([](json& j) { j["cells"][0]["properties"]["liveness"] = j["cells"][0]["properties"]["mutex"]; }),
       "unknown property \"liveness\""},
      {edited([](json& j) { j["cells"][0]["properties"]["owner"]["seeds_violated"] = 90; }),
       "properties.owner.seeds_violated: 90 of 60 seeds judged"},
      {edited([](json& j) { j["cells"][0]["properties"]["owner"]["seeds_judged"] = 6; }),
       "properties.owner.seeds_judged: 6 but the cell ran 60 seeds"},
      {edited([](json& j) { j["cells"][0]["properties"]["mutex"]["seeds_violated"] = 1; }),
       "properties.mutex: held, yet violated on 1 seeds"},
      {edited([](json& j) { j["cells"][0]["properties"]["owner"]["seeds_violated"] = 0; }),
       "a violated property was violated on 0 seeds"},
      {edited([](json& j) { j["cells"][0]["properties"]["owner"]["seed"] = "0x99"; }),
       "properties.owner.seed: 0x99 is not a seed this cell ran"},
      {edited([](json& j) { j["cells"][0]["properties"]["owner"]["seed"] = "0xZZ"; }), "not a seed"},
      {edited([](json& j) { j["cells"][0]["properties"]["owner"].erase("counterexample"); }),
       "properties.owner.counterexample: missing"},
      {edited([](json& j) { j["cells"][0]["properties"]["owner"]["counterexample"]["file"] = "../../x.json"; }),
       "must be a file name beside results.json"},
      {edited([](json& j) { j["cells"][0]["properties"]["owner"]["counterexample"]["trace"] = "xyz"; }),
       "must be 16 hex digits"},
      {edited([](json& j) { j["cells"][0]["properties"]["owner"]["counterexample"]["shrink"]["faults"] = {1, 3}; }),
       "shrinking made it bigger"},
      {edited([](json& j) { j["cells"][0]["properties"]["owner"]["counterexample"]["shrink"]["runs"] = -2; }),
       "shrink.runs"},
  };
  for (const auto& [text, want] : cases) {
    auto r = parse_results(text, "shard/results.json");
    ASSERT_FALSE(r.ok()) << want;
    EXPECT_EQ(r.error().message.rfind("shard/results.json: ", 0), 0u) << r.error().message;
    EXPECT_NE(r.error().message.find(want), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.find('\n'), std::string::npos) << r.error().message;
  }
  EXPECT_TRUE(parse_results(good, "shard/results.json").ok());
}

// Two shards of one 20-seed cell, each with its own lowest seeds.
std::pair<CellReport, CellReport> two_shards() {
  CellReport a = cell_of("del-unchecked", "pause", 20), b = a;
  a.result.spec.shard_count = b.result.spec.shard_count = 2;
  b.result.spec.shard_index = 1;
  a.result.seeds_run = b.result.seeds_run = 10;
  for (auto* c : {&a, &b}) {
    for (auto& p : c->result.properties) p.seeds_judged = 10;
  }
  violate(&a, "mutex", 0x5, 2, "sh1");   // seeds 1, 3, 5, ... are shard 1's
  violate(&a, "owner", 0x11, 1, "sh1");
  violate(&b, "mutex", 0x8, 4, "sh2");
  violate(&b, "owner", 0x2, 3, "sh2");
  a.result.lock_cycles = 100;
  b.result.lock_cycles = 50;
  return {a, b};
}

TEST(Merge, EachPropertysLowestSeedWinsAcrossShardsAndCountsAddUp) {
  auto [a, b] = two_shards();
  const CellReport c = clean_cell();
  auto merged = merge_cells({a, c, b});
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  ASSERT_EQ(merged->size(), 2u);
  const CellReport& m = merged.value()[0];
  EXPECT_EQ(m.result.spec.strategy, "del-unchecked");  // first-seen order
  EXPECT_EQ(m.result.seeds_run, 20);
  EXPECT_EQ(m.result.lock_cycles, 150u);
  EXPECT_EQ(m.result.spec.shard_count, 1);  // both shards: the whole cell
  EXPECT_EQ(m.result.seed, 0x2u);
  const auto& mutex = m.result.properties[index_of(m, "mutex")];
  const auto& owner = m.result.properties[index_of(m, "owner")];
  EXPECT_EQ(mutex.seed, 0x5u);
  EXPECT_EQ(mutex.seeds_violated, 6);
  EXPECT_EQ(mutex.seeds_judged, 20);
  EXPECT_EQ(mutex.counterexample->trace, 0xabc + 0x5u);
  EXPECT_EQ(m.counterexample_files[index_of(m, "mutex")], "sh1/del-unchecked-pause-mutex.json");
  EXPECT_EQ(owner.seed, 0x2u);
  EXPECT_EQ(owner.seeds_violated, 4);
  EXPECT_EQ(owner.counterexample->stats.runs, 17);
  EXPECT_EQ(m.counterexample_files[index_of(m, "owner")], "sh2/del-unchecked-pause-owner.json");
  EXPECT_NE(matrix_text(merged.value()).find("VIOLATED mutex 0x5, owner 0x2"), std::string::npos);
  EXPECT_EQ(merged.value()[1].result.seeds_run, 500);
  // One shard alone stays a shard, and says so.
  auto half = merge_cells({b});
  ASSERT_TRUE(half.ok());
  EXPECT_NE(results_json(half.value()).find("\"shard\": \"2/2\""), std::string::npos);
}

TEST(Merge, OverlappingOrMismatchedShardsAreAnError) {
  auto [a, b] = two_shards();
  auto twice = merge_cells({a, b, a});
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().message, "cannot merge del-unchecked / pause: shard 1/2 given twice");
  CellReport other = b;
  other.result.spec.first_seed = 100;
  EXPECT_FALSE(merge_cells({a, other}).ok());
  other = b;
  other.result.spec.shard_count = 3;
  EXPECT_FALSE(merge_cells({a, other}).ok());
  other = b;
  other.result.spec.properties = {"mutex"};
  EXPECT_FALSE(merge_cells({a, other}).ok());
  EXPECT_FALSE(merge_cells({clean_cell(), clean_cell()}).ok());
}

TEST(Merge, EveryShardMergedIsTheUnshardedResultsJson) {
  // A real cell: single under clock jumps breaks mutex at seed 0x2 and
  // resource only at 0x16; three shards find them on different machines.
  properties::CellSpec spec;
  spec.strategy = "single";
  spec.faults_label = "clock_jump";
  spec.classes = {chaos::FaultKind::kClockJump};
  spec.seeds = 30;
  spec.shrink_runs_max = 20;
  auto report_of = [](properties::CellResult r) {
    CellReport c;
    c.result = std::move(r);
    c.counterexample_files.assign(c.result.properties.size(), "");
    for (size_t k = 0; k < c.result.properties.size(); ++k) {
      if (c.result.properties[k].counterexample) {
        c.counterexample_files[k] = counterexample_name(c.result, c.result.properties[k].property);
      }
    }
    return c;
  };
  const std::string whole = results_json({report_of(properties::run_cell(spec, 2, nullptr))});
  std::vector<CellReport> shards;
  for (int k : {2, 0, 1}) {  // any order
    properties::CellSpec shard = spec;
    shard.shard_index = k;
    shard.shard_count = 3;
    auto back = parse_results(results_json({report_of(properties::run_cell(shard, 1, nullptr))}),
                              "sh" + std::to_string(k) + "/results.json");
    ASSERT_TRUE(back.ok()) << back.error().message;
    shards.push_back(back.value()[0]);
  }
  auto merged = merge_cells(shards);
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  EXPECT_EQ(results_json(merged.value()), whole);
  EXPECT_NE(whole.find("\"seed\": \"0x16\""), std::string::npos);  // resource's own lowest seed
}

TEST(Files, CounterexampleNamesAreSafe) {
  properties::CellResult r;
  r.spec.strategy = "single";
  r.spec.faults_label = "pause+drop/../x";
  EXPECT_EQ(counterexample_name(r, "mutex"), "single-pause_drop_.._x-mutex.json");
}

TEST(Files, AnUnusableReportDirIsFoundBeforeAnyRun) {
  const auto dir = std::filesystem::temp_directory_path() / ("lockcheck-prepare-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(prepare_report_dir((dir / "a" / "b").string()).ok());
  EXPECT_TRUE(std::filesystem::is_empty(dir / "a" / "b"));  // the probe leaves nothing behind
  ASSERT_TRUE(write_file_atomic((dir / "file").string(), "x").ok());
  EXPECT_FALSE(prepare_report_dir((dir / "file").string()).ok());
  EXPECT_FALSE(prepare_report_dir((dir / "file" / "sub").string()).ok());
  std::filesystem::create_directories(dir / "c" / "results.json");
  EXPECT_FALSE(prepare_report_dir((dir / "c").string()).ok());
  std::filesystem::remove_all(dir);
}

TEST(Files, CopiedCounterexamplesLandBesideTheMergedResults) {
  const auto dir = std::filesystem::temp_directory_path() / ("lockcheck-copy-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(ensure_dir((dir / "sh1").string()).ok());
  ASSERT_TRUE(ensure_dir((dir / "out").string()).ok());
  std::vector<CellReport> cells = {violated_cell()};
  const size_t owner = index_of(cells[0], "owner");
  const size_t resource = index_of(cells[0], "resource");
  cells[0].counterexample_files[owner] = (dir / "sh1" / "o.json").string();
  cells[0].counterexample_files[resource] = (dir / "sh1" / "r.json").string();
  ASSERT_TRUE(write_file_atomic(cells[0].counterexample_files[owner], "owner cx\n").ok());
  EXPECT_FALSE(copy_counterexamples(&cells, (dir / "out").string()).ok());  // r.json is missing
  ASSERT_TRUE(write_file_atomic(cells[0].counterexample_files[resource], "resource cx\n").ok());
  ASSERT_TRUE(copy_counterexamples(&cells, (dir / "out").string()).ok());
  EXPECT_EQ(cells[0].counterexample_files[owner], (dir / "out" / "o.json").string());
  EXPECT_EQ(read_file((dir / "out" / "o.json").string()).value(), "owner cx\n");
  EXPECT_EQ(read_file((dir / "out" / "r.json").string()).value(), "resource cx\n");
  std::filesystem::remove_all(dir);
}

TEST(Files, AtomicWriteLeavesNothingBehindOnFailure) {
  const auto dir = std::filesystem::temp_directory_path() / ("lockcheck-report-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  EXPECT_FALSE(write_file_atomic((dir / "missing" / "f.json").string(), "x").ok());
  ASSERT_TRUE(ensure_dir(dir.string()).ok());
  const auto path = (dir / "f.json").string();
  ASSERT_TRUE(write_file_atomic(path, "hello\n").ok());
  auto back = read_file(path);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value(), "hello\n");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  EXPECT_FALSE(read_file((dir / "nope").string()).ok());
  EXPECT_FALSE(read_file(dir.string()).ok());  // a directory is not a scenario
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace lockcheck::reports
