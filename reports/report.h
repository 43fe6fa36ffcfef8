// Rendering results: the strategy x property matrix, results.json, and
// counterexample files, all written atomically (temp file + rename), so a
// failed or interrupted run never leaves a half-written file behind.
#ifndef LOCKCHECK_REPORTS_REPORT_H_
#define LOCKCHECK_REPORTS_REPORT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "impl/result.h"
#include "properties/suite.h"

namespace lockcheck::reports {

// A finished cell with where its counterexample files went.
struct CellReport {
  properties::CellResult result;
  std::vector<std::string> counterexample_files;  // parallel to result.counterexamples
  int64_t wall_ms = 0;                            // measured by the CLI, for reports only
};

// The matrix as printed: one row per (strategy, faults) cell, one column
// per property, and the cell's verdict.
std::string matrix_text(const std::vector<CellReport>& cells);

// results.json: every cell, its verdict, seeds, counterexamples.
std::string results_json(const std::vector<CellReport>& cells);

// Reads a results.json back (for `lockcheck report`); the counterexamples
// keep property, explanation and file, not the scenarios themselves.
// Errors are one line naming `origin`.
Result<std::vector<CellReport>> parse_results(std::string_view text, std::string_view origin);

// Cells of several runs (shards) merged by (strategy, faults), in first-seen
// order: seeds and cycles add up; the lowest violating seed wins.
std::vector<CellReport> merge_cells(const std::vector<CellReport>& cells);

// "<strategy>-<faults>-<property>.json", safe as a file name.
std::string counterexample_name(const properties::CellResult& cell, const std::string& property);

// Creates dir (and parents) if needed.
Status ensure_dir(const std::string& dir);
// Writes content to path via a temp file in the same directory + rename.
Status write_file_atomic(const std::string& path, const std::string& content);
Result<std::string> read_file(const std::string& path);

}  // namespace lockcheck::reports

#endif  // LOCKCHECK_REPORTS_REPORT_H_
