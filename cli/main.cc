// The `lockcheck` binary: the command line with the built-in strategies.
#include "cli/cli.h"

int main(int argc, char** argv) { return lockcheck::cli::main(argc, argv, {}); }
