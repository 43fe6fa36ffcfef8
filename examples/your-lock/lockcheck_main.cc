// Our own `lockcheck` binary: every subcommand (run, replay, list) knows
// "get-del" next to the built-in strategies, e.g.
//   ./your-lockcheck run --strategy get-del,single --faults none,pause
//   ./your-lockcheck replay get-del-out/get-del-pause-mutex.json
#include "cli/cli.h"
#include "get_del_lock.h"

int main(int argc, char** argv) { return lockcheck::cli::main(argc, argv, {your_lock::get_del_lock()}); }
