#include "model/lua_budget.h"

#include <cstdio>
#include <limits>

namespace lockcheck::model {

int raise_step_limit(lua_State* L, const ScriptBudget& budget) {
  char msg[160];
  std::snprintf(msg, sizeof msg,
                "ERR Script exceeded the step limit of %lld steps (Lua instructions and "
                "library work)",
                static_cast<long long>(budget.steps_max));
  lua_createtable(L, 0, 1);
  lua_pushstring(L, "err");
  lua_pushstring(L, msg);
  lua_rawset(L, -3);
  return lua_error(L);
}

void charge_steps(lua_State* L, ScriptBudget* budget, int64_t steps) {
  if (budget->exhausted) raise_step_limit(L, *budget);
  if (steps > budget->steps_max - budget->steps_used) {
    budget->steps_used = budget->steps_max;
    budget->exhausted = true;
    raise_step_limit(L, *budget);
  }
  budget->steps_used += steps;
}

int64_t steps_for(int64_t count, int64_t per_step) {
  if (count <= 0) return 0;
  return count / per_step + (count % per_step != 0 ? 1 : 0);
}

ScriptBudget* budget_upvalue(lua_State* L) {
  return static_cast<ScriptBudget*>(lua_touserdata(L, lua_upvalueindex(1)));
}

void WorkMeter::add_ops(int64_t n) {
  ops += n;
  if (ops >= kOpsPerStep) {
    const int64_t steps = ops / kOpsPerStep;
    ops %= kOpsPerStep;
    charge_steps(L, budget, steps);
  }
}

void WorkMeter::add_bytes(int64_t n) {
  bytes += n;
  if (bytes >= kBytesPerStep) {
    const int64_t steps = bytes / kBytesPerStep;
    bytes %= kBytesPerStep;
    charge_steps(L, budget, steps);
  }
}

}  // namespace lockcheck::model
