// Rendering results: the strategy x property matrix, merging shards, and
// the report directory's files, all written atomically (temp file +
// rename), so a failed or interrupted run never leaves a half-written file
// behind. results.json itself is reports/results_json.h.
#ifndef LOCKCHECK_REPORTS_REPORT_H_
#define LOCKCHECK_REPORTS_REPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "impl/result.h"
#include "properties/suite.h"

namespace lockcheck::reports {

// A real-time cell (`lockcheck clients`, serve/check.h): runs of a foreign
// lock client's driver under one fault class. Its runs play the seeds'
// role: result.spec.seeds and seeds_run count runs, spec.first_seed is 0
// and a violated property's `seed` is its lowest violating run (0-based).
// Its counterexamples are real-time files (reports/real_time.h): no trace,
// never shrunk.
struct RealTimeCell {
  std::string driver;                // --name
  std::string command;               // --driver
  uint64_t schedule_seed = 1;        // --seed: picks the target client
  std::vector<int64_t> run_wall_ms;  // per run, in run order
};

// A finished cell with where its counterexample files went.
struct CellReport {
  properties::CellResult result;
  // Parallel to result.properties: the counterexample file of each
  // violated property as a path to open (report dir + name), "" for none.
  std::vector<std::string> counterexample_files;
  // The shards of result.spec.shard_count this report covers (0-based,
  // ascending). Empty: just result.spec.shard_index. A merge that covers
  // every shard of a cell becomes the whole cell (shard 0 of 1).
  std::vector<int> shards;
  int64_t wall_ms = 0;  // measured by the CLI, for reports only
  std::optional<RealTimeCell> real_time;  // set: a real-time cell
};

// The cell's name as the renderers show it: the strategy, marked
// "(real time)" for a real-time cell, so a report that mixes both says
// which is which.
std::string cell_label(const CellReport& cell);
// Where property p was violated first, as the renderers show it: its
// lowest seed ("0x2a"), or in a real-time cell its first run ("run 1", 1-based).
std::string lowest_label(const CellReport& cell, const properties::PropertyResult& p);
// "seeds" or "runs".
const char* runs_word(const CellReport& cell);

// The shards a report covers (CellReport::shards, or the spec's one).
std::vector<int> covered_shards(const CellReport& cell);
// "1/1", "2/3", "1,3/3": the covered shards, 1-based, of how many.
std::string format_shards(const CellReport& cell);
// The seeds the covered shards would run without a budget or early stop.
int64_t seeds_planned(const CellReport& cell);

// The matrix as printed: one row per (strategy, faults) cell, the seeds it
// ran, one column per property (`ok` only when it held over every seed
// run, `VIOLATED`, `-` not judged, `?` harness fault) and the cell's
// verdict, naming each violated property with its lowest violating seed.
std::string matrix_text(const std::vector<CellReport>& cells);

// Cells of several runs (shards) merged by (strategy, faults), in first-seen
// order: seed counts and cycles add up, each property's lowest violating
// seed (with its counterexample) is the lowest over the shards. Shards of
// one cell must agree on its seeds, shard count and judged properties and
// must not overlap; otherwise the error names the cell. When no shard
// stopped early (budget, every property violated), merging every shard
// gives the results.json of the unsharded run, wall times aside.
Result<std::vector<CellReport>> merge_cells(const std::vector<CellReport>& cells);

// Copies every counterexample file the cells name into dir (atomically)
// and points the cells at the copies, so a results.json written there
// names only files beside it.
Status copy_counterexamples(std::vector<CellReport>* cells, const std::string& dir);

// "<strategy>-<faults>-<property>.json", safe as a file name.
std::string counterexample_name(const properties::CellResult& cell, const std::string& property);

// Creates dir (and parents) if needed.
Status ensure_dir(const std::string& dir);
// ensure_dir, then proves files can be written there (and that
// results.json is not a directory), before any work is spent on a run.
Status prepare_report_dir(const std::string& dir);
// Writes content to path via a temp file in the same directory + rename.
Status write_file_atomic(const std::string& path, const std::string& content);
Result<std::string> read_file(const std::string& path);

}  // namespace lockcheck::reports

#endif  // LOCKCHECK_REPORTS_REPORT_H_
