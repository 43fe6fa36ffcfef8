#include "reports/report.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "reports/test_cells.h"

namespace lockcheck::reports {
namespace {

using testing::clean_cell;
using testing::index_of;
using testing::violate;
using testing::violated_cell;

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
  c.result.spec.properties = {properties::Property::kResource, properties::Property::kOwner};
  for (auto& p : c.result.properties) p.judged = p.property == properties::Property::kResource || p.property == properties::Property::kOwner;
  const std::string m = matrix_text({c});
  EXPECT_NE(m.find("60/200  -         VIOLATED  -         VIOLATED  -  "), std::string::npos) << m;
  c.result.nondeterministic = true;
  c.result.nondeterminism = "seed 0x5 ran twice with different outcomes";
  EXPECT_NE(matrix_text({c}).find("-         ?         -         ?         -         -         -         -         -         "
                                 "HARNESS FAULT: seed 0x5"),
            std::string::npos)
      << matrix_text({c});
}

// Two shards of one 20-seed cell, each with its own lowest seeds.
std::pair<CellReport, CellReport> two_shards() {
  CellReport a = testing::cell_of("del-unchecked", "pause", 20), b = a;
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
  EXPECT_EQ(format_shards(half.value()[0]), "2/2");
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
  other.result.spec.properties = {properties::Property::kMutex};
  EXPECT_FALSE(merge_cells({a, other}).ok());
  EXPECT_FALSE(merge_cells({clean_cell(), clean_cell()}).ok());
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
