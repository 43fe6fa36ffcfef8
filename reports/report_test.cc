#include "reports/report.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>

namespace lockcheck::reports {
namespace {

CellReport violated_cell() {
  CellReport c;
  auto& r = c.result;
  r.spec.strategy = "del-unchecked";
  r.spec.faults_label = "pause+drop";
  r.seeds_run = 7;
  r.violated = true;
  r.seed = 0x2a;
  r.violations = {{"resource", {}, "stale write"}, {"owner", {}, "deleted another's lock"}};
  properties::CellResult::Counterexample cx;
  cx.property = "resource";
  cx.trace = 0xabc;
  cx.explanation = "stale write";
  r.counterexamples.push_back(cx);
  c.counterexample_files = {"out/del-unchecked-pause_drop-resource.json"};
  return c;
}

CellReport clean_cell() {
  CellReport c;
  c.result.spec.strategy = "single";
  c.result.spec.faults_label = "none";
  c.result.seeds_run = 500;
  return c;
}

TEST(Matrix, OneRowPerCellWithPerPropertyMarks) {
  const std::string m = matrix_text({clean_cell(), violated_cell()});
  EXPECT_NE(m.find("strategy"), std::string::npos);
  EXPECT_NE(m.find("holds (500 seeds)"), std::string::npos);
  EXPECT_NE(m.find("VIOLATED resource (seed 0x2a) -> out/del-unchecked-pause_drop-resource.json"), std::string::npos);
  // The violated row marks exactly the two violated properties.
  const auto row = m.substr(m.find("del-unchecked"));
  EXPECT_EQ(std::count(row.begin(), row.end(), 'V'), 3);  // two marks + the verdict
}

TEST(ResultsJson, CarriesVerdictsSeedsAndFiles) {
  auto j = nlohmann::json::parse(results_json({clean_cell(), violated_cell()}));
  ASSERT_EQ(j["cells"].size(), 2u);
  EXPECT_EQ(j["cells"][0]["verdict"], "holds");
  EXPECT_EQ(j["cells"][0]["seeds_run"], 500);
  EXPECT_EQ(j["cells"][1]["verdict"], "violated");
  EXPECT_EQ(j["cells"][1]["seed"], "0x2a");
  EXPECT_EQ(j["cells"][1]["counterexamples"][0]["trace"], "0000000000000abc");
  EXPECT_EQ(j["cells"][1]["counterexamples"][0]["file"], "out/del-unchecked-pause_drop-resource.json");
}

TEST(ResultsJson, ParsesBackWhatItWrote) {
  auto back = parse_results(results_json({clean_cell(), violated_cell()}), "r.json");
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ(matrix_text(back.value()), matrix_text({clean_cell(), violated_cell()}));
}

TEST(ResultsJson, BadInputIsOneLineNamingTheFile) {
  for (const char* text : {"{", "[]", R"({"lockcheck_results": 2, "cells": []})",
                           R"({"lockcheck_results": 1, "cells": [{"strategy": "s"}]})",
                           R"({"lockcheck_results": 1, "cells": [{"strategy": "s", "faults": "f", "verdict": "maybe"}]})"}) {
    auto r = parse_results(text, "shard/results.json");
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().message.rfind("shard/results.json: ", 0), 0u) << r.error().message;
    EXPECT_EQ(r.error().message.find('\n'), std::string::npos);
  }
}

TEST(Merge, ShardsAddUpAndTheLowestViolatingSeedWins) {
  CellReport a = violated_cell(), b = violated_cell(), c = clean_cell();
  a.result.seed = 0x40;
  a.counterexample_files = {"shard1/x.json"};
  b.result.seed = 0x2a;
  b.counterexample_files = {"shard2/x.json"};
  CellReport c2 = clean_cell();
  const auto merged = merge_cells({a, c, b, c2});
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[0].result.spec.strategy, "del-unchecked");  // first-seen order
  EXPECT_EQ(merged[0].result.seed, 0x2au);
  EXPECT_EQ(merged[0].counterexample_files.front(), "shard2/x.json");
  EXPECT_EQ(merged[0].result.seeds_run, 14);
  EXPECT_EQ(merged[1].result.seeds_run, 1000);
  EXPECT_FALSE(merged[1].result.violated);
}

TEST(Files, CounterexampleNamesAreSafe) {
  properties::CellResult r;
  r.spec.strategy = "single";
  r.spec.faults_label = "pause+drop/../x";
  EXPECT_EQ(counterexample_name(r, "mutex"), "single-pause_drop_.._x-mutex.json");
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
