// The files a run or a merge leaves for CI and for people: results.json,
// report.html, junit.xml and summary.md, rendered in memory first and only
// then written (each atomically), so bad input never leaves a file behind.
#ifndef LOCKCHECK_REPORTS_CI_OUTPUTS_H_
#define LOCKCHECK_REPORTS_CI_OUTPUTS_H_

#include <string>
#include <utility>
#include <vector>

#include "impl/result.h"
#include "reports/baseline.h"
#include "reports/report.h"

namespace lockcheck::reports {

// Where each output goes; "" for not written.
struct OutputFiles {
  std::string results;   // results.json
  std::string html;      // report.html
  std::string junit;     // junit.xml
  std::string markdown;  // summary.md
};

// The four files under their usual names in dir.
OutputFiles outputs_in(const std::string& dir);

// Creates the parent directory of path if needed and proves a file can be
// written there (and that path is not a directory), before work is spent.
Status prepare_output_file(const std::string& path);

// Every output asked for, as (path, content) in the order above.
std::vector<std::pair<std::string, std::string>> render_outputs(const std::vector<CellReport>& cells,
                                                                const BaselineComparison& comparison,
                                                                const OutputFiles& files);

// Reads every counterexample file the cells name and checks it is the
// scenario results.json says: it parses, and its `expect` names the
// property as violated with the recorded trace. The error is one line
// naming the file.
Status check_counterexample_files(const std::vector<CellReport>& cells);

}  // namespace lockcheck::reports

#endif  // LOCKCHECK_REPORTS_CI_OUTPUTS_H_
