// junit.xml: a run as JUnit XML, for the test reporters of CI systems.
//
// A <testsuite> per strategy, a <testcase> per (strategy, fault cell,
// property), named "<faults> / <property>" with classname
// "lockcheck.<strategy>". A violation is a <failure> whose message names the
// property and whose body holds SEED=, TRACE=, the explanation and the
// replay command; a property the run did not judge is <skipped/>; a
// harness fault's cell is an <error>. Against a baseline, a violation it
// expects is a passing testcase named "... (expected violation)", and an
// expected violation that went away fails. Counts on every <testsuite> and
// on <testsuites> add up: tests = passed + failures + errors + skipped.
#ifndef LOCKCHECK_REPORTS_JUNIT_H_
#define LOCKCHECK_REPORTS_JUNIT_H_

#include <string>
#include <vector>

#include "reports/baseline.h"
#include "reports/report.h"

namespace lockcheck::reports {

// `comparison` is parallel to cells (without_baseline(cells) for none).
// Times: each cell's wall time shared evenly by its judged properties
// (they are judged together), in seconds with millisecond digits.
std::string junit_xml(const std::vector<CellReport>& cells, const BaselineComparison& comparison);

}  // namespace lockcheck::reports

#endif  // LOCKCHECK_REPORTS_JUNIT_H_
