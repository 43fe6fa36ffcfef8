// How one property of one cell reads in the CI outputs (JUnit, Markdown,
// the HTML matrix): its verdict set against the baseline, when there is
// one. The three renderers share it so they never disagree about what
// failed.
#ifndef LOCKCHECK_REPORTS_OUTCOME_H_
#define LOCKCHECK_REPORTS_OUTCOME_H_

#include <string>

#include "reports/baseline.h"
#include "reports/report.h"

namespace lockcheck::reports {

enum class Outcome {
  kNotJudged,          // not in the run's --properties
  kHarnessFault,       // the cell is a harness fault: no verdict
  kHeld,               // held (as the baseline expects, or no baseline)
  kViolated,           // violated, no baseline to expect it
  kExpectedViolation,  // violated, as the baseline expects
  kRegression,         // violated, the baseline expects it to hold
  kImprovement,        // held, the baseline expects a violation
  kNewViolation,       // violated, the baseline has no verdict for it
  kNewHeld,            // held, the baseline has no verdict for it
};

// The outcome of property k of cells[i]; `comparison` is parallel to cells.
Outcome outcome_of(const std::vector<CellReport>& cells, size_t i, size_t k, const BaselineComparison& comparison);

// Whether the outcome fails a CI job: a violation nobody expected, or an
// expected violation that went away (the test lost its teeth, or the
// baseline is stale). A harness fault is an error, not a failure.
bool is_failure(Outcome o);

// Short words for the outcome: "ok", "VIOLATED", "expected", ...
const char* outcome_word(Outcome o);
// One sentence: "violated, as the baseline expects", ...
const char* outcome_sentence(Outcome o);

// "lockcheck replay FILE", FILE quoted for a POSIX shell when it needs it.
std::string replay_command(const std::string& file);

// The file of property k's counterexample, "" for none.
std::string counterexample_file(const CellReport& cell, size_t k);

}  // namespace lockcheck::reports

#endif  // LOCKCHECK_REPORTS_OUTCOME_H_
