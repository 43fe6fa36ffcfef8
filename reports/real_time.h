// Real-time counterexamples (`lockcheck clients`, serve/check.h): the run
// of a foreign lock client that violated a property, as a file that
// `lockcheck report` renders and `lockcheck replay` re-judges.
//
// A real-time run reproduces its fault schedule, not the exact
// interleaving: the file keeps the schedule as it was applied (true times)
// and the history as it was recorded, so the checkers' verdict over the
// record is reproducible; the run itself is not, only its schedule can be
// run again (the `reproduce` command).
#ifndef LOCKCHECK_REPORTS_REAL_TIME_H_
#define LOCKCHECK_REPORTS_REAL_TIME_H_

#include <string>
#include <string_view>
#include <vector>

#include "impl/result.h"
#include "properties/checkers.h"
#include "sim/history.h"

namespace lockcheck::reports {

// The sentence every real-time counterexample, page and replay says.
constexpr std::string_view kRealTimeNote =
    "a real-time run reproduces its fault schedule, not the exact interleaving: the command re-runs the "
    "schedule; the verdict over this recorded history is what the checkers say of it";

// Bounds on what a file may hold (a limit on everything): the recorded
// events as serve/recorder.h bounds them, the schedule, the sizes.
constexpr size_t kRealTimeEventsMax = 1'000'000;
constexpr size_t kRealTimeScheduleMax = 1000;
constexpr int kRealTimeClientsMax = 64;
constexpr int kRealTimeNodesMax = 64;

struct AppliedFaultRecord {
  sim::TrueInstant at;  // since the check started, in true time
  std::string what;     // one line
};

struct RealTimeCounterexample {
  std::string driver;     // the driver's name (--name)
  std::string command;    // the driver command (--driver)
  std::string strategy;   // --strategy as passed to the driver; "" none
  std::string faults;     // the fault class of the cell
  int run = 0;            // which run of the cell, 0-based (shown 1-based, as the matrix does)
  int target = 0;         // the client the schedule aimed at
  std::string property;   // the property this file is the counterexample of
  std::string reproduce;  // `lockcheck clients ...` that re-runs the schedule
  std::vector<AppliedFaultRecord> schedule;
  std::vector<properties::Violation> violations;  // what the checkers found in the run
  sim::History history;                           // as recorded
};

// "lockcheck-driver/single": the cell's name in the matrix (driver, then
// the strategy it was asked for, when any).
std::string real_time_cell_name(const std::string& driver, const std::string& strategy);

// The file (JSON, lockcheck_real_time_counterexample: 2).
std::string format_real_time_counterexample(const RealTimeCounterexample& cx);

// Whether text is a real-time counterexample file (it names the format
// key); such a file is parsed with parse_real_time_counterexample, never as
// a scenario.
bool is_real_time_counterexample(std::string_view text);

// Reads one back. Malformed or impossible content (an unknown key or event
// kind, a client or node outside the history's sizes, events out of time
// order, a property that is not among its violations) is an error: one
// line naming `origin` and the value.
Result<RealTimeCounterexample> parse_real_time_counterexample(std::string_view text, std::string_view origin);

// `lockcheck replay FILE` of such a file: says it is not a replay (the
// note and the reproduce command), re-judges the recorded history and
// compares with the verdicts the file records. Writes to out; the exit
// code: 1 when the re-judged verdicts are the file's (the property is
// violated, as recorded), 3 when they differ (a checker changed since).
int rejudge_real_time(const RealTimeCounterexample& cx, const std::string& file, std::string* out);

}  // namespace lockcheck::reports

#endif  // LOCKCHECK_REPORTS_REAL_TIME_H_
