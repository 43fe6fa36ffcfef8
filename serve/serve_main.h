// The `lockcheck serve` and `lockcheck clients` subcommands, as functions
// cli/main.cc dispatches to (argv without the program name and subcommand).
#ifndef LOCKCHECK_SERVE_SERVE_MAIN_H_
#define LOCKCHECK_SERVE_SERVE_MAIN_H_

#include <string>
#include <vector>

namespace lockcheck::serve {

// Serves modeled nodes until SIGINT/SIGTERM; prints one line per port
// ("node-N client-C 127.0.0.1:PORT") and then "ready". Exit 0, or 2 on bad
// usage.
int serve_main(const std::vector<std::string>& args);

// Runs a driver check (docs/drivers.md). Exit codes as `lockcheck run`.
int clients_main(const std::vector<std::string>& args);

}  // namespace lockcheck::serve

#endif  // LOCKCHECK_SERVE_SERVE_MAIN_H_
