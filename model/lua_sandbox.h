// Redis 7.0's script sandbox on stock Lua 5.1: which globals exist, which
// tables are read-only, and the few base functions Redis replaces.
#ifndef LOCKCHECK_MODEL_LUA_SANDBOX_H_
#define LOCKCHECK_MODEL_LUA_SANDBOX_H_

#include <lua.hpp>

#include <cstdint>

#include "model/lua_budget.h"

namespace lockcheck::model {

// Registry key of the real globals table once seal_globals() has run.
inline constexpr const char* kRealGlobals = "lockcheck.globals";

// Redis's rand48 generator starts unseeded, from the classic drand48
// default state, and runs on across scripts and SCRIPT FLUSH; only a
// restart (or math.randomseed) resets it.
inline constexpr uint64_t kRand48Initial = 0x1234ABCD330EULL;

// Opens base, table, string and math as a Redis 7.0 script sees them: no
// print/setfenv/getfenv/newproxy/dofile/loadfile; Redis's pcall (an
// {err=...} error comes back as its message); rawset/setmetatable refuse
// read-only tables; math.random runs Redis's rand48 on *rand48; the
// functions of model/lua_pattern.h and model/lua_bounded_lib.h charge
// *budget. Both must outlive L.
void open_script_libraries(lua_State* L, uint64_t* rand48, ScriptBudget* budget);

// Makes redis, string, table, math and coroutine read-only, and replaces
// the globals by a read-only proxy: writes raise "Attempt to modify a
// readonly table", reads of unknown names raise "Script attempted to access
// nonexistent global variable". The metatable shared by all strings is
// read-only too (a change to it would outlive the script), as on Redis.
// getmetatable shows what Redis's does: nil for a library, a read-only
// table for _G and for strings. Call after every global is in place.
void seal_globals(lua_State* L);

}  // namespace lockcheck::model

#endif  // LOCKCHECK_MODEL_LUA_SANDBOX_H_
