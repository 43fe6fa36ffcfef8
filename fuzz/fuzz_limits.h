// The node the fuzz targets drive: every NodeLimits bound far below its
// default, so that one input runs in milliseconds (a hang shows up as a
// libFuzzer timeout) and stays far below libFuzzer's 2 GB RSS limit, while
// every limit is still reachable from a small input.
#ifndef LOCKCHECK_FUZZ_FUZZ_LIMITS_H_
#define LOCKCHECK_FUZZ_FUZZ_LIMITS_H_

#include "model/node.h"

namespace lockcheck::fuzz {

inline model::NodeLimits fuzz_node_limits() {
  model::NodeLimits limits;
  limits.lua_steps_max = 100'000;
  limits.keys_max = 64;
  limits.data_bytes_max = 32 * 1024 * 1024;
  limits.multi_commands_max = 64;
  limits.watched_keys_max = 16;
  limits.connections_max = 8;
  limits.lua_memory_max = 8 * 1024 * 1024;
  limits.reply_bytes_max = 8 * 1024 * 1024;
  limits.reply_elements_max = 64 * 1024;
  return limits;
}

}  // namespace lockcheck::fuzz

#endif  // LOCKCHECK_FUZZ_FUZZ_LIMITS_H_
