// Generated command sequences for the differential conformance test
// (tests/conformance_test.cc): every command model::Node supports, with
// real options, wrong arities, wrong types, bad numbers, MULTI/EXEC/WATCH
// over two connections, the scripts impl/ sends and scripts from a small
// random Lua grammar.
//
// Timing. The model and the real server read different clocks, so the
// generator only uses deadlines that no timing can flip: every positive
// expiry argument is materialized from a slot unique to its position in the
// sequence, at least 100 s ahead and kSlotMs apart from any other deadline
// of the sequence, so NX/XX/GT/LT comparisons and "is it expired yet" have
// one answer as long as a sequence runs for less than kSlotMs / 2. Other
// expiry arguments are in the past or invalid (also timing-free). TTL and
// PTTL replies are the only timing-dependent ones; the test compares them
// within the sequence's real elapsed time.
#ifndef LOCKCHECK_TESTS_CONFORMANCE_GEN_H_
#define LOCKCHECK_TESTS_CONFORMANCE_GEN_H_

#include <rapidcheck.h>

#include <cstdint>
#include <string>
#include <vector>

namespace lockcheck::conformance {

// Two deadlines of one sequence are at least this far apart.
inline constexpr int64_t kSlotMs = 4000;
// No step has more arguments than this (slots are numbered per position).
inline constexpr size_t kArgsMax = 24;

enum class TimeArg {
  kNone,   // a literal argument
  kRelMs,  // milliseconds from now (PX, PEXPIRE, a script's ARGV)
  kRelS,   // seconds from now (EX, EXPIRE)
  kAbsMs,  // unix milliseconds (PXAT)
  kAbsS,   // unix seconds (EXAT)
};

struct Arg {
  std::string text;  // the argument when time == kNone
  TimeArg time = TimeArg::kNone;
};

struct Step {
  int conn = 0;  // which of the two connections sends it: 0 or 1
  std::vector<Arg> argv;
};

using Sequence = std::vector<Step>;

// The argv step `index` of a sequence started at unix ms `base_ms` sends.
std::vector<std::string> materialize(const Step& step, size_t index, int64_t base_ms);

// One line per step, e.g. `c1 SET k1 v1 NX PX <now+108000ms>`, scripts
// quoted with their newlines escaped.
std::string describe(const Sequence& seq);

// Sequences of 0..size steps.
rc::Gen<Sequence> sequences();

// How RapidCheck prints a counterexample (found by ADL).
void showValue(const Sequence& seq, std::ostream& os);

}  // namespace lockcheck::conformance

#endif  // LOCKCHECK_TESTS_CONFORMANCE_GEN_H_
