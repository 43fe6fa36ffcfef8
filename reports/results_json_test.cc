#include "reports/results_json.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/test_cells.h"

namespace lockcheck::reports {
namespace {

using testing::clean_cell;
using testing::index_of;
using testing::violated_cell;

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
        c.counterexample_files[k] = counterexample_name(c.result, properties::property_name(c.result.properties[k].property));
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
  EXPECT_NE(whole.find("\"seed\": \"0x18\""), std::string::npos);  // resource's own lowest seed
}

}  // namespace
}  // namespace lockcheck::reports
