// Replaying a saved scenario or counterexample file from a test: a lock's
// regression tests are scenario files (what `lockcheck replay FILE` does,
// as a library call).
#ifndef LOCKCHECK_TESTING_REPLAY_H_
#define LOCKCHECK_TESTING_REPLAY_H_

#include <string>
#include <vector>

#include "chaos/scenario.h"
#include "impl/result.h"
#include "properties/shrink.h"

namespace lockcheck::testing {

struct ReplayResult {
  chaos::Scenario scenario;
  properties::Judged judged;  // the run and its violations (catalog order)
  std::string trace;          // hex, as TRACE= prints it
  // One line per expectation of the file (expect.verdict, .property,
  // .holds, .trace) the run did not reproduce; empty: all reproduced (or
  // the file states none).
  std::vector<std::string> mismatches;

  bool reproduced() const { return mismatches.empty(); }
  bool violated(const std::string& property) const;
  // "VIOLATED p: explanation" lines, SEED=, TRACE= and the mismatches.
  std::string report() const;
};

// Reads, parses and runs the file. Error{kInvalidArgument} for a file that
// cannot be read or parsed (unknown strategy: register it first), or whose
// run hit the simulator's event limit (too big to judge).
Result<ReplayResult> replay(const std::string& path);
Result<ReplayResult> replay(const chaos::Scenario& scenario);

// The expectations of `e` that the judged run does not reproduce, one line
// each (what `lockcheck replay` prints as MISMATCH:).
std::vector<std::string> mismatches(const chaos::Expectation& e, const properties::Judged& judged,
                                    const std::string& trace);

}  // namespace lockcheck::testing

#endif  // LOCKCHECK_TESTING_REPLAY_H_
