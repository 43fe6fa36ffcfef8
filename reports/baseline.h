// The baseline: what a run is expected to find, cell by cell and property
// by property, so CI can tell a regression from the broken strategies the
// default matrix catches on purpose (`run --expect FILE`, `report --expect
// FILE`, `--write-baseline FILE`).
//
// The file (lockcheck_baseline: 1) holds one line per (strategy, faults)
// cell, with the seeds it ran and its violated and held properties:
//
//   {"strategy": "single", "faults": "pause", "seeds": 200, "first_seed": "0x1",
//    "violated": ["mutex", "resource", "validity"], "held": ["fencing", ...]}
//
// Names are kept as written, never checked against this build's catalogs:
// a baseline from a build with other strategies or properties still
// parses, and the comparison names each cell or property only one side has.
#ifndef LOCKCHECK_REPORTS_BASELINE_H_
#define LOCKCHECK_REPORTS_BASELINE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "impl/result.h"
#include "reports/report.h"

namespace lockcheck::reports {

struct BaselineCell {
  std::string strategy;
  std::string faults;
  int seeds = 0;
  uint64_t first_seed = 1;
  std::vector<std::string> violated;  // as written, each name once
  std::vector<std::string> held;      // disjoint from violated
};

struct Baseline {
  std::string command;              // the command that wrote it (how to regenerate it)
  std::vector<BaselineCell> cells;  // each (strategy, faults) once
};

// The baseline of a run's cells. `command` is recorded as the way to
// regenerate it. Every cell must be whole (not a lone shard) and free of
// harness faults, whose verdicts mean nothing; otherwise the error names
// the cell.
Result<std::string> baseline_json(const std::vector<CellReport>& cells, const std::string& command);

// Reads a baseline strictly: unknown keys, a cell given twice, a property
// both violated and held, are errors (one line naming `origin`).
Result<Baseline> parse_baseline(std::string_view text, std::string_view origin);

// How one judged property of a run compares with the baseline.
enum class Delta {
  kNoBaseline,   // the run was not compared with a baseline
  kAsExpected,   // same verdict as the baseline
  kRegression,   // held in the baseline, violated now
  kImprovement,  // violated in the baseline, held now
  kNew,          // the baseline has no verdict for it (new cell or property)
  kNotCompared,  // not judged by the run, or a harness fault's cell
};

struct BaselineComparison {
  std::string origin;   // the baseline file; empty: no baseline
  std::string command;  // the baseline's regenerate command
  // deltas[i][k]: cell i's property k (as in CellResult::properties).
  std::vector<std::vector<Delta>> deltas;
  int cells_compared = 0;
  int regressions = 0;
  int improvements = 0;
  int unbaselined = 0;  // cells, and properties of known cells, the baseline lacks
  // One line per difference (regression, improvement, new), in the
  // run's cell order; then notes about what only the baseline has.
  std::vector<std::string> differences;
  std::vector<std::string> notes;

  bool has_baseline() const { return !origin.empty(); }
  bool matches() const { return differences.empty(); }
  // The command that regenerates the baseline (its recorded one, else a
  // plain `lockcheck run -q --write-baseline FILE`).
  std::string regenerate_command() const;
  Delta delta(size_t cell, size_t property) const;
};

// Every delta kNoBaseline (or kNotCompared for properties not judged).
BaselineComparison without_baseline(const std::vector<CellReport>& cells);

// Compares every cell with the baseline. A cell that covers only some of
// its shards cannot be compared (its verdicts are partial): an error
// naming it. Cells of a harness fault are not compared (noted).
Result<BaselineComparison> compare_with_baseline(const std::vector<CellReport>& cells, const Baseline& baseline,
                                                 const std::string& origin);

// The comparison as printed after the matrix: a headline, each
// difference, the notes, and how to regenerate the baseline when it
// differs.
std::string comparison_text(const BaselineComparison& comparison);

}  // namespace lockcheck::reports

#endif  // LOCKCHECK_REPORTS_BASELINE_H_
