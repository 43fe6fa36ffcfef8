// The step budget of one script: what bounds a script's work, counted
// deterministically (the simulator cannot use wall time).
//
// A step stands for about one Lua VM instruction's worth of work:
//  - every VM instruction costs 1 step, plus 1 per kHeapBytesPerStep bytes
//    of Lua heap in use beyond the interpreter's own: one instruction can
//    copy or compare any string alive (`..`, `<`), and the heap is the only
//    deterministic bound on that;
//  - library functions whose work the heap does not bound charge for it:
//    pattern matching per matcher operation, string.rep per repetition and
//    byte produced, table functions per element moved or visited,
//    collectgarbage per heap byte, redis.call per reply element and byte.
// A script that would go past its budget stops with an error at that
// point; once over, every further instruction raises again, so pcall
// cannot swallow the stop. With the default budget (NodeLimits) the worst
// script runs for about a second.
#ifndef LOCKCHECK_MODEL_LUA_BUDGET_H_
#define LOCKCHECK_MODEL_LUA_BUDGET_H_

#include <lua.hpp>

#include <cstdint>

namespace lockcheck::model {

inline constexpr int64_t kHeapBytesPerStep = 4096;
// Bytes a library function produces, copies or compares, per step.
inline constexpr int64_t kBytesPerStep = 1024;
// Elementary operations (a pattern item tried on one character, one
// repetition of string.rep, one element moved by table.insert) per step.
inline constexpr int64_t kOpsPerStep = 16;
// Heap bytes a garbage collection traverses per step.
inline constexpr int64_t kGcBytesPerStep = 256;

struct ScriptBudget {
  int64_t steps_max = 0;   // > 0
  int64_t steps_used = 0;  // of the script running now
  bool exhausted = false;  // set once the script went over; reset per script
};

// Adds `steps` (>= 0, saturating) to the running script's count. When the
// total passes steps_max, marks the budget exhausted and raises the
// step-limit error (a Lua error: does not return).
void charge_steps(lua_State* L, ScriptBudget* budget, int64_t steps);

// Raises {err = "ERR Script exceeded the step limit of N steps ..."}.
int raise_step_limit(lua_State* L, const ScriptBudget& budget);

// Steps for `count` units at `per_step` units each, rounded up, saturating.
int64_t steps_for(int64_t count, int64_t per_step);

// The budget a library closure carries as its first upvalue.
ScriptBudget* budget_upvalue(lua_State* L);

// Adds up work too small to charge one by one (a comparison, a few bytes)
// and charges each whole step as soon as it is complete. Trivially
// destructible: it lives in frames a Lua error may jump over.
struct WorkMeter {
  lua_State* L;
  ScriptBudget* budget;
  int64_t ops = 0;    // below kOpsPerStep between calls
  int64_t bytes = 0;  // below kBytesPerStep between calls

  void add_ops(int64_t n);
  void add_bytes(int64_t n);
};

}  // namespace lockcheck::model

#endif  // LOCKCHECK_MODEL_LUA_BUDGET_H_
