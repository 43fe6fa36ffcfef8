// What `lockcheck clients` leaves in its report directory, in the formats
// `lockcheck report` reads: a results.json whose cells are real-time
// (reports/results_json.h, lockcheck_results 3), one counterexample file
// per violated property of a cell (reports/real_time.h) with its timeline
// page, report.html, junit.xml and summary.md; and beside each run's driver
// logs its history as text.
#ifndef LOCKCHECK_SERVE_CLIENTS_REPORT_H_
#define LOCKCHECK_SERVE_CLIENTS_REPORT_H_

#include <string>
#include <utility>
#include <vector>

#include "impl/result.h"
#include "reports/report.h"
#include "serve/check.h"

namespace lockcheck::serve {

// `lockcheck clients ...` that runs the same schedule for one fault class
// (a real-time run reproduces its schedule, not its interleaving).
std::string reproduce_command(const CheckOptions& o, const std::string& faults);

// The cell of one fault class before its first run: every property judged,
// none violated, no runs.
reports::CellReport real_time_cell(const CheckOptions& o, const std::string& faults);

// A property a run violated first in its cell, and where its
// counterexample went.
struct FirstViolation {
  std::string property;
  std::string explanation;
  std::string file;
};

// Adds the next run of `cell` (o as it ran, `out` judged: exit_code 0):
// counts it for every property; for each property no earlier run of the
// cell violated, writes its counterexample file and timeline page into
// report_dir. Also writes the run's history.txt into o.log_dir.
Result<std::vector<FirstViolation>> add_run(reports::CellReport* cell, const CheckOptions& o, const CheckOutcome& out,
                                            const std::string& report_dir);

// results.json, report.html, junit.xml and summary.md of the cells.
Status write_outputs(const std::vector<reports::CellReport>& cells, const std::string& report_dir);

}  // namespace lockcheck::serve

#endif  // LOCKCHECK_SERVE_CLIENTS_REPORT_H_
