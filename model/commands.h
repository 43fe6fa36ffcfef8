// The data commands of the node model (strings, keys, hashes, PING), with
// Redis 7.0's argument validation and reply texts. Scripting commands live
// in node.cc because they need the Lua engine.
#ifndef LOCKCHECK_MODEL_COMMANDS_H_
#define LOCKCHECK_MODEL_COMMANDS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/keyspace.h"
#include "model/node.h"

namespace lockcheck::model {

using Argv = std::vector<std::string>;

// Everything one command execution may touch.
struct CommandContext {
  Keyspace& keys;
  int64_t now_ms;
  std::vector<Mutation>* mutations;  // may be null
  // Keys the command wrote, in order, each time Redis's signalModifiedKey()
  // would be called (even when the value did not change): WATCH reacts to
  // these. Never null.
  std::vector<std::string>* touched;
  ModelBugs bugs;  // all off outside the mutation test
};

struct CommandSpec {
  const char* name;  // Redis's fullname, as used in error texts
  int arity;         // Redis convention: n = exactly n, -n = at least n
  bool may_grow;     // refused when the node is at keys_max (Redis: denyoom)
  bool noscript;     // refused inside scripts (Redis: the noscript flag)
  Reply (*run)(CommandContext& ctx, const Argv& argv);
};

// The data command named `lower_name` (already lowercased), or null.
const CommandSpec* find_data_command(std::string_view lower_name);

// True if argv's length satisfies the arity.
bool arity_ok(int arity, size_t argc);

// Shared reply texts (Redis 7.0 verbatim).
inline constexpr const char* kErrNotInteger = "ERR value is not an integer or out of range";
inline constexpr const char* kErrSyntax = "ERR syntax error";
inline constexpr const char* kErrWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr const char* kErrOom = "OOM command not allowed when used memory > 'maxmemory'.";

std::string wrong_arity_error(std::string_view fullname);

}  // namespace lockcheck::model

#endif  // LOCKCHECK_MODEL_COMMANDS_H_
