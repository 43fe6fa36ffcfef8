// The embedded Lua 5.1 of one node: script cache, sandbox, redis.* library,
// Redis<->Lua conversions and the bounds of NodeLimits: the step budget of
// every script (model/lua_budget.h), a heap cap on every allocation of the
// interpreter, and the size of a script's reply. One lua_State per node, as
// one Redis server has one.
#ifndef LOCKCHECK_MODEL_LUA_ENGINE_H_
#define LOCKCHECK_MODEL_LUA_ENGINE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "model/node.h"

namespace lockcheck::model {

// What redis.call / redis.pcall reach: the node's command dispatcher, which
// applies the script-specific rules (unknown command, arity, not allowed).
class ScriptHost {
 public:
  virtual Reply call_from_script(const std::vector<std::string>& argv) = 0;

 protected:
  ~ScriptHost() = default;
};

class LuaEngine {
 public:
  // The lua_* and reply_* fields of `limits` apply; lua_memory_max must
  // leave room for the interpreter itself (at least 1 MB).
  explicit LuaEngine(const NodeLimits& limits);
  ~LuaEngine();
  LuaEngine(const LuaEngine&) = delete;
  LuaEngine& operator=(const LuaEngine&) = delete;

  // Compiles `body` and caches it under `sha` (its SHA1 hex). On a compile
  // error returns Redis's error reply text ("ERR Error compiling script...").
  // A body is always compiled as text: bytecode fails as on Redis.
  std::optional<std::string> load(const std::string& sha, const std::string& body);

  bool has_script(const std::string& sha) const;

  // Runs a cached script atomically. Commands go through `host`. A script
  // over its budget or the heap cap, or whose reply is over the reply
  // bounds, gets an error reply.
  Reply run(const std::string& sha, std::span<const std::string> keys,
            std::span<const std::string> args, ScriptHost& host);

  // SCRIPT FLUSH: forgets every script, fresh interpreter; math.random's
  // generator runs on (it is process-wide in Redis).
  void flush();
  // Node restart: as flush, and the generator starts over too.
  void restart();

  struct State;  // public only so the C callbacks in lua_engine.cc can name it
  // The interpreter's memory (model/lua_arena.h), which outlives the
  // engine: a thread keeps the slots of destroyed engines and gives them
  // to new ones, whose interpreter is then restored, not rebuilt.
  struct Slot;

 private:
  NodeLimits limits_;
  std::unique_ptr<Slot> slot_;
  std::unique_ptr<State> state_;
};

}  // namespace lockcheck::model

#endif  // LOCKCHECK_MODEL_LUA_ENGINE_H_
