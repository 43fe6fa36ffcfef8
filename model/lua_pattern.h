// Lua 5.1's string patterns (string.find, match, gmatch, gsub) for the
// script sandbox, behaving as Lua 5.1.5's own, except that they are
// bounded: every matcher operation and every byte compared is charged to
// the script's step budget (model/lua_budget.h), and a pattern may nest at
// most kPatternDepthMax quantified items or captures ("pattern too
// complex", as later Lua versions say; Lua 5.1 and so Redis 7.0 recurse on
// the C stack without a limit and crash).
//
// Stock Lua does its matching inside one C call that no instruction hook
// sees: `s:find('.-b')` on a 10 MB string ran for minutes.
#ifndef LOCKCHECK_MODEL_LUA_PATTERN_H_
#define LOCKCHECK_MODEL_LUA_PATTERN_H_

#include <lua.hpp>

#include "model/lua_budget.h"

namespace lockcheck::model {

inline constexpr int kPatternDepthMax = 200;

// Replaces find, match, gmatch, gsub (and gfind, 5.1's old name of gmatch)
// in the string library table on top of the stack. `budget` must outlive L.
void open_bounded_patterns(lua_State* L, ScriptBudget* budget);

}  // namespace lockcheck::model

#endif  // LOCKCHECK_MODEL_LUA_PATTERN_H_
