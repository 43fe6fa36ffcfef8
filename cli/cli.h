// The lockcheck command line as a library, so a user builds their own
// `lockcheck` with their strategies listed next to the built-in ones (the
// way benchmark_main works):
//
//   int main(int argc, char** argv) {
//     return lockcheck::cli::main(argc, argv, {lockcheck::strategy_def<MyLock>({"my-lock", true, "..."})});
//   }
//
// Every subcommand (run, replay, report, list) then knows "my-lock".
#ifndef LOCKCHECK_CLI_CLI_H_
#define LOCKCHECK_CLI_CLI_H_

#include <vector>

#include "impl/lock.h"

namespace lockcheck::cli {

// Registers extra_strategies (ensure_registered: a def equal to one
// registered already is fine) and runs the command line. Returns the exit
// code (0 held, 1 violated, 2 bad usage or a def that does not register,
// 3 harness fault).
int main(int argc, char** argv, const std::vector<StrategyDef>& extra_strategies);

}  // namespace lockcheck::cli

#endif  // LOCKCHECK_CLI_CLI_H_
