// results.json: what a run found, for machines and for `lockcheck report`.
//
// Each counterexample file is named by its bare name: the file sits beside
// results.json in the same report directory (`report --out` copies the
// files it names), so a report directory can be moved or merged whole.
#ifndef LOCKCHECK_REPORTS_RESULTS_JSON_H_
#define LOCKCHECK_REPORTS_RESULTS_JSON_H_

#include <string>
#include <string_view>
#include <vector>

#include "impl/result.h"
#include "reports/report.h"

namespace lockcheck::reports {

// results.json (lockcheck_results: 2): every cell, its verdict and seeds,
// and per property its verdict, seed counts, lowest violating seed and
// counterexample (file name, trace, explanation, shrink statistics).
std::string results_json(const std::vector<CellReport>& cells);

// Reads a results.json back (for `lockcheck report`); counterexamples keep
// everything but the scenarios themselves (those are in their files, whose
// paths resolve beside `origin`). Malformed, out-of-range or impossible
// values (a negative count, more seeds violated than judged, a seed outside
// the cell) are errors: one line naming `origin` and the value.
Result<std::vector<CellReport>> parse_results(std::string_view text, std::string_view origin);

}  // namespace lockcheck::reports

#endif  // LOCKCHECK_REPORTS_RESULTS_JSON_H_
