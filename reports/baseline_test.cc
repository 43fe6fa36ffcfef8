#include "reports/baseline.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "reports/test_cells.h"

namespace lockcheck::reports {
namespace {

using testing::cell_of;
using testing::clean_cell;
using testing::index_of;
using testing::violate;
using testing::violated_cell;

Baseline baseline_of(const std::vector<CellReport>& cells) {
  auto text = baseline_json(cells, "lockcheck run -q --write-baseline b.json");
  EXPECT_TRUE(text.ok());
  auto parsed = parse_baseline(text.value(), "b.json");
  EXPECT_TRUE(parsed.ok()) << parsed.error().message;
  return parsed.value();
}

bool has_line(const std::vector<std::string>& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

TEST(Baseline, WritesOneLinePerCellAndReadsItBack) {
  const auto text = baseline_json({clean_cell(), violated_cell()}, "lockcheck run -q --write-baseline b.json");
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text.value().find("\n    {\"strategy\": \"del-unchecked\", \"faults\": \"pause+drop\", \"seeds\": 60, "
                              "\"first_seed\": \"0x1\", \"violated\": [\"resource\",\"owner\"], \"held\": "
                              "[\"mutex\",\"fencing\",\"expiry\",\"progress\",\"reentry\",\"validity\",\"timeout\"]}\n"),
            std::string::npos)
      << text.value();
  auto b = parse_baseline(text.value(), "b.json");
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(b->command, "lockcheck run -q --write-baseline b.json");
  ASSERT_EQ(b->cells.size(), 2u);
  EXPECT_EQ(b->cells[0].strategy, "single");
  EXPECT_EQ(b->cells[0].seeds, 500);
  EXPECT_TRUE(b->cells[0].violated.empty());
  EXPECT_EQ(b->cells[0].held.size(), properties::property_catalog().size());
  EXPECT_EQ(b->cells[1].violated, (std::vector<std::string>{"resource", "owner"}));
}

TEST(Baseline, NotJudgedPropertiesAreLeftOut) {
  CellReport c = violated_cell();
  c.result.spec.properties = {properties::Property::kResource, properties::Property::kOwner, properties::Property::kMutex};
  for (auto& p : c.result.properties)
    p.judged = p.property == properties::Property::kResource || p.property == properties::Property::kOwner || p.property == properties::Property::kMutex;
  const Baseline b = baseline_of({c});
  EXPECT_EQ(b.cells[0].violated, (std::vector<std::string>{"resource", "owner"}));
  EXPECT_EQ(b.cells[0].held, (std::vector<std::string>{"mutex"}));
}

TEST(Baseline, RefusesHarnessFaultsAndLoneShards) {
  CellReport fault = violated_cell();
  fault.result.nondeterministic = true;
  auto a = baseline_json({clean_cell(), fault}, "");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().message, "no baseline from del-unchecked / pause+drop: it is a harness fault");
  CellReport shard = clean_cell();
  shard.result.spec.shard_count = 3;
  auto b = baseline_json({shard}, "");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().message.find("covers shards 1/3 only"), std::string::npos) << b.error().message;
}

TEST(Baseline, MalformedFilesAreOneLineErrors) {
  auto err = [](const std::string& text) {
    auto b = parse_baseline(text, "b.json");
    EXPECT_FALSE(b.ok()) << text;
    return b.ok() ? std::string() : b.error().message;
  };
  const std::string cell =
      R"({"strategy": "single", "faults": "none", "seeds": 10, "first_seed": "0x1", "violated": ["mutex"], "held": []})";
  EXPECT_EQ(err("{"), "b.json: not valid JSON");
  EXPECT_EQ(err(R"({"cells": []})"), "b.json: not a lockcheck baseline (lockcheck_baseline: 1)");
  EXPECT_EQ(err(R"({"lockcheck_baseline": 2, "cells": []})"),
            "b.json: lockcheck_baseline 2: this lockcheck reads version 1");
  EXPECT_EQ(err(R"({"lockcheck_baseline": 1, "cells": [], "extra": 1})"), "b.json: unknown key \"extra\"");
  EXPECT_EQ(err(R"({"lockcheck_baseline": 1, "cells": [)" + cell + "," + cell + "]}"),
            "b.json: cells[1]: single / none is given twice");
  EXPECT_EQ(
      err(R"({"lockcheck_baseline": 1, "cells": [{"strategy": "single", "faults": "none", "seeds": 10, "first_seed": "0x1", "violated": ["mutex"], "held": ["mutex"]}]})"),
      "b.json: cells[0] (single / none): mutex is listed twice");
  EXPECT_EQ(
      err(R"({"lockcheck_baseline": 1, "cells": [{"strategy": "single", "faults": "none", "seeds": -1, "first_seed": "0x1", "violated": [], "held": []}]})"),
      "b.json: cells[0] (single / none).seeds: must be a whole number in [1, 10000000]");
  EXPECT_EQ(err(R"({"lockcheck_baseline": 1, "cells": [{"strategy": "a\nb", "faults": "none"}]})"),
            "b.json: cells[0].strategy: must be a name on one line");
  EXPECT_EQ(
      err(R"({"lockcheck_baseline": 1, "cells": [{"strategy": "single", "faults": "none", "seeds": 1, "first_seed": "0x1", "violated": [3], "held": []}]})"),
      "b.json: cells[0] (single / none).violated: must hold property names, got 3");
  // Names this build does not know are not errors: the comparison names them.
  EXPECT_TRUE(
      parse_baseline(
          R"({"lockcheck_baseline": 1, "cells": [{"strategy": "zookeeper-lock", "faults": "none", "seeds": 1, "first_seed": "0x1", "violated": ["linearizable"], "held": []}]})",
          "b.json")
          .ok());
}

TEST(Compare, TheSameVerdictsMatch) {
  const std::vector<CellReport> cells = {clean_cell(), violated_cell()};
  auto c = compare_with_baseline(cells, baseline_of(cells), "b.json");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->matches());
  EXPECT_EQ(c->cells_compared, 2);
  EXPECT_EQ(c->delta(1, index_of(cells[1], "owner")), Delta::kAsExpected);
  EXPECT_EQ(comparison_text(c.value()), "baseline b.json: 2 cells as expected\n");
}

TEST(Compare, RegressionsAndImprovementsAreListedWithSeedAndReplay) {
  CellReport before_clean = clean_cell(), before_violated = violated_cell();
  const Baseline b = baseline_of({before_clean, before_violated});
  CellReport now_clean = clean_cell();
  violate(&now_clean, "mutex", 0x7, 2, "out");  // held before
  CellReport now_violated = testing::cell_of("del-unchecked", "pause+drop", 60);
  violate(&now_violated, "resource", 0x2a, 3, "out");  // owner no longer violated
  const std::vector<CellReport> cells = {now_clean, now_violated};
  auto c = compare_with_baseline(cells, b, "b.json");
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->matches());
  EXPECT_EQ(c->regressions, 1);
  EXPECT_EQ(c->improvements, 1);
  EXPECT_EQ(c->delta(0, index_of(now_clean, "mutex")), Delta::kRegression);
  EXPECT_EQ(c->delta(1, index_of(now_violated, "owner")), Delta::kImprovement);
  EXPECT_EQ(c->delta(1, index_of(now_violated, "resource")), Delta::kAsExpected);
  EXPECT_TRUE(has_line(c->differences,
                       "REGRESSION single / none: mutex held in the baseline, violated now (seed 0x7; "
                       "lockcheck replay out/single-none-mutex.json)"));
  EXPECT_TRUE(
      has_line(c->differences,
               "IMPROVEMENT del-unchecked / pause+drop: owner violated in the baseline, held now over 60 seeds"));
  const std::string text = comparison_text(c.value());
  EXPECT_EQ(text.rfind("baseline b.json: 2 differences in 2 cells (1 regression, 1 improvement)\n", 0), 0u) << text;
  EXPECT_NE(
      text.find("regenerate the baseline with the command that wrote it: lockcheck run -q --write-baseline b.json"),
      std::string::npos);
}

TEST(Compare, CellsAndPropertiesOnlyOneSideHasAreNamed) {
  Baseline b = baseline_of({clean_cell()});
  // The baseline has a cell of a strategy this build lacks, and a property
  // this build lacks; the run has a cell the baseline lacks.
  BaselineCell gone = b.cells[0];
  gone.strategy = "zookeeper-lock";
  b.cells.push_back(gone);
  b.cells[0].held.push_back("linearizable");
  b.cells[0].held.erase(std::find(b.cells[0].held.begin(), b.cells[0].held.end(), "reentry"));
  const std::vector<CellReport> cells = {clean_cell(), violated_cell()};
  auto c = compare_with_baseline(cells, b, "b.json");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->unbaselined, 2);
  EXPECT_TRUE(has_line(c->differences, "NEW single / none: reentry is not in the baseline; held now over 500 seeds"));
  EXPECT_TRUE(
      has_line(c->differences, "NEW del-unchecked / pause+drop: not in the baseline; violated now: resource, owner"));
  EXPECT_EQ(c->delta(1, index_of(cells[1], "mutex")), Delta::kNew);
  EXPECT_TRUE(has_line(c->notes, "baseline property linearizable (1 cells) is not one this build has"));
  EXPECT_TRUE(has_line(c->notes, "1 baseline cells not in this run: zookeeper-lock / none"));
  EXPECT_TRUE(has_line(c->notes, "the baseline names strategies this build does not have: zookeeper-lock"));
}

TEST(Compare, BaselineCellsARestrictedRunLeavesOutAreNotesOnly) {
  const std::vector<CellReport> all = {clean_cell(),
                                       violated_cell(),
                                       cell_of("single", "pause", 500),
                                       cell_of("single", "drop", 500),
                                       cell_of("single", "crash", 500),
                                       cell_of("single", "delay", 500),
                                       cell_of("single", "drift", 500)};
  auto c = compare_with_baseline({clean_cell()}, baseline_of(all), "b.json");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->matches());
  EXPECT_TRUE(has_line(c->notes,
                       "6 baseline cells not in this run: del-unchecked / pause+drop, single / pause, single "
                       "/ drop, single / crash, single / delay and 1 more"));
}

TEST(Compare, OtherSeedsAndUnjudgedPropertiesAreNoted) {
  const Baseline b = baseline_of({clean_cell()});
  CellReport fewer = cell_of("single", "none", 50);
  fewer.result.spec.properties = {properties::Property::kMutex};
  for (auto& p : fewer.result.properties) p.judged = p.property == properties::Property::kMutex;
  auto c = compare_with_baseline({fewer}, b, "b.json");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->matches());
  EXPECT_TRUE(has_line(
      c->notes, "1 cells ran other seeds than the baseline's: single / none (baseline 500 from 0x1, run 50 from 0x1)"));
  EXPECT_TRUE(has_line(c->notes, "baseline property resource (1 cells) was not judged by this run"));
  EXPECT_EQ(c->delta(0, index_of(fewer, "resource")), Delta::kNotCompared);
}

TEST(Compare, LoneShardsCannotBeComparedAndHarnessFaultsAreNot) {
  const Baseline b = baseline_of({clean_cell(), violated_cell()});
  CellReport shard = clean_cell();
  shard.result.spec.shard_count = 2;
  auto bad = compare_with_baseline({shard}, b, "b.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            "cannot compare single / none with the baseline: it covers shards 1/2 only (merge "
            "every shard with `lockcheck report` first)");
  CellReport fault = violated_cell();
  fault.result.nondeterministic = true;
  auto c = compare_with_baseline({clean_cell(), fault}, b, "b.json");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->matches());
  EXPECT_EQ(c->cells_compared, 1);
  EXPECT_TRUE(has_line(c->notes, "not compared: del-unchecked / pause+drop is a harness fault"));
}

}  // namespace
}  // namespace lockcheck::reports
