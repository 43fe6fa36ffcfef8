// WAIT numreplicas timeout: Redis 7.0's argument checks and reply texts.
//
// Whether WAIT blocks, and what it finally counts, depends on replicas and
// their acknowledgements, which live outside one node: the simulator
// answers WAIT (sim/groups.cc). This file is the part that is pure Redis.
#ifndef LOCKCHECK_MODEL_WAIT_H_
#define LOCKCHECK_MODEL_WAIT_H_

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "model/node.h"

namespace lockcheck::model {

struct WaitRequest {
  int64_t numreplicas = 0;
  int64_t timeout_ms = 0;  // 0: wait forever (bounded by the caller's run)
};

// True for argv whose command name is WAIT (any case).
bool is_wait(const std::vector<std::string>& argv);

// Parses WAIT's arguments as waitCommand() does, or the error reply Redis
// sends (arity, "value is not an integer", "timeout is negative", ...).
// argv must satisfy is_wait.
std::variant<WaitRequest, Reply> parse_wait(const std::vector<std::string>& argv);

}  // namespace lockcheck::model

#endif  // LOCKCHECK_MODEL_WAIT_H_
