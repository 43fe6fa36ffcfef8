// The sandbox Redis 7.0 builds around scripts, rebuilt on stock Lua 5.1
// (Redis patches Lua for read-only tables; here read-only tables are empty
// proxies whose metatable reads through to the real table).
#include "model/lua_sandbox.h"

#include <cmath>
#include <initializer_list>
#include <limits>

#include "model/check.h"
#include "model/lua_bounded_lib.h"
#include "model/lua_pattern.h"

namespace lockcheck::model {
namespace {

// Keys of a read-only proxy's metatable: the table behind the proxy, and
// what getmetatable(proxy) shows (absent: nil).
constexpr const char* kReadonlyMarker = "__lockcheck_readonly";
constexpr const char* kShownMetatable = "__lockcheck_shown";
constexpr const char* kReadonlyError = "Attempt to modify a readonly table";

// ---- math.random: Redis's rand48, so sequences match a real server ------

// The generator state lives in the engine; the functions below reach it
// through their upvalue (a light userdata pointer).
uint64_t* rand48_of(lua_State* L) {
  return static_cast<uint64_t*>(lua_touserdata(L, lua_upvalueindex(1)));
}

int32_t lrand48_next(uint64_t* x) {
  *x = (0x5DEECE66DULL * *x + 0xB) & ((1ULL << 48) - 1);
  return static_cast<int32_t>(*x >> 17);
}

int math_random(lua_State* L) {
  constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
  const lua_Number r =
      static_cast<lua_Number>(lrand48_next(rand48_of(L)) % kMax) / static_cast<lua_Number>(kMax);
  switch (lua_gettop(L)) {
    case 0:
      lua_pushnumber(L, r);
      break;
    case 1: {
      const int u = luaL_checkint(L, 1);
      luaL_argcheck(L, 1 <= u, 1, "interval is empty");
      lua_pushnumber(L, std::floor(r * u) + 1);
      break;
    }
    case 2: {
      const int l = luaL_checkint(L, 1);
      const int u = luaL_checkint(L, 2);
      luaL_argcheck(L, l <= u, 2, "interval is empty");
      // Redis computes u - l + 1 in int, which wraps for intervals wider
      // than INT_MAX (undefined in C); the same wrapped value, defined.
      const auto span = static_cast<int32_t>(static_cast<uint32_t>(u) - static_cast<uint32_t>(l) + 1u);
      lua_pushnumber(L, std::floor(r * span) + l);
      break;
    }
    default:
      return luaL_error(L, "wrong number of arguments");
  }
  return 1;
}

int math_randomseed(lua_State* L) {
  const auto seed = static_cast<uint32_t>(luaL_checkint(L, 1));
  *rand48_of(L) = ((static_cast<uint64_t>(seed) << 16) | 0x330E) & ((1ULL << 48) - 1);
  return 0;
}

// ---- sandbox --------------------------------------------------------------------

int readonly_newindex(lua_State* L) { return luaL_error(L, "%s", kReadonlyError); }

// __index of the globals proxy: upvalue 1 is the real globals table.
int globals_index(lua_State* L) {
  lua_pushvalue(L, 2);
  lua_rawget(L, lua_upvalueindex(1));
  if (!lua_isnil(L, -1)) return 1;
  return luaL_error(L, "Script attempted to access nonexistent global variable '%s'",
                    lua_tostring(L, 2));
}

// If the value at `idx` is a read-only proxy, pushes the table behind it
// (stored in its metatable under the marker) and returns true.
bool push_backing_table(lua_State* L, int idx) {
  if (!lua_istable(L, idx) || !lua_getmetatable(L, idx)) return false;
  lua_pushstring(L, kReadonlyMarker);
  lua_rawget(L, -2);
  lua_remove(L, -2);
  if (lua_istable(L, -1)) return true;
  lua_pop(L, 1);
  return false;
}

bool is_readonly(lua_State* L, int idx) {
  if (!push_backing_table(L, idx)) return false;
  lua_pop(L, 1);
  return true;
}

int raise_readonly(lua_State* L) {
  lua_pushstring(L, kReadonlyError);  // no position, as Redis's rawset check
  return lua_error(L);
}

// rawset, rawget, setmetatable and getmetatable as Lua 5.1's (same
// argument checks, same texts), where Redis's read-only tables show
// through: rawset and setmetatable refuse them, rawget reads them.
int guarded_rawset(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  luaL_checkany(L, 3);
  lua_settop(L, 3);
  if (is_readonly(L, 1)) return raise_readonly(L);
  lua_rawset(L, 1);
  return 1;
}

int guarded_rawget(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  lua_settop(L, 2);
  if (push_backing_table(L, 1)) lua_replace(L, 1);
  lua_rawget(L, 1);
  return 1;
}

int guarded_setmetatable(lua_State* L) {
  const int t = lua_type(L, 2);
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_argcheck(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table expected");
  if (luaL_getmetafield(L, 1, "__metatable")) luaL_error(L, "cannot change a protected metatable");
  lua_settop(L, 2);
  if (is_readonly(L, 1)) return raise_readonly(L);
  lua_setmetatable(L, 1);
  return 1;
}

// A proxy's own metatable holds the table behind it: scripts must never
// get it (writing through it would outlive the script).
int guarded_getmetatable(lua_State* L) {
  luaL_checkany(L, 1);
  if (!lua_getmetatable(L, 1)) {
    lua_pushnil(L);
    return 1;
  }
  lua_pushstring(L, kReadonlyMarker);
  lua_rawget(L, -2);
  const bool proxy = !lua_isnil(L, -1);
  lua_pop(L, 1);
  if (proxy) {
    lua_pushstring(L, kShownMetatable);
    lua_rawget(L, -2);
    return 1;
  }
  luaL_getmetafield(L, 1, "__metatable");  // pushed if present; else the metatable shows
  return 1;
}

void set_global_function(lua_State* L, const char* name, lua_CFunction fn) {
  lua_pushcfunction(L, fn);
  lua_setglobal(L, name);
}

// Redis 7.0's global pcall: an error table {err=...} is reported as its
// message string, so `local ok, e = pcall(redis.call, ...)` gets a string.
int redis_style_pcall(lua_State* L) {
  const int argc = lua_gettop(L);
  if (argc == 0) {  // Redis answers false rather than raising
    lua_pushboolean(L, 0);
    lua_pushstring(L, "attempt to call a nil value");
    return 2;
  }
  if (lua_pcall(L, argc - 1, LUA_MULTRET, 0) == 0) {
    lua_pushboolean(L, 1);
    lua_insert(L, 1);
    return lua_gettop(L);
  }
  if (lua_istable(L, -1)) {
    lua_getfield(L, -1, "err");
    if (lua_isstring(L, -1)) {
      lua_replace(L, -2);
    } else {
      lua_pop(L, 1);
    }
  }
  lua_pushboolean(L, 0);
  lua_insert(L, -2);
  return 2;
}

// Pushes a metatable that makes a table read-only; `index` (on the stack)
// is the table behind it and answers reads.
void push_readonly_metatable(lua_State* L, int index) {
  if (index < 0 && index > LUA_REGISTRYINDEX) index = lua_gettop(L) + index + 1;  // absolute
  lua_createtable(L, 0, 4);
  lua_pushvalue(L, index);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, readonly_newindex);
  lua_setfield(L, -2, "__newindex");
  lua_pushvalue(L, index);
  lua_setfield(L, -2, kReadonlyMarker);
}

// Pushes a new read-only proxy for the table at `index`.
void push_readonly_proxy(lua_State* L, int index) {
  if (index < 0 && index > LUA_REGISTRYINDEX) index = lua_gettop(L) + index + 1;  // absolute
  lua_newtable(L);
  push_readonly_metatable(L, index);
  lua_setmetatable(L, -2);
}

// The metatable every string shares: Redis's is read-only, so a script
// cannot re-point ('x'):upper() for the scripts after it. Its __index
// becomes the read-only string proxy, and getmetatable('') shows a
// read-only view of it.
void protect_string_metatable(lua_State* L) {
  lua_pushliteral(L, "");
  MODEL_CHECK(lua_getmetatable(L, -1));
  lua_getglobal(L, LUA_STRLIBNAME);  // the proxy by now
  lua_setfield(L, -2, "__index");
  push_readonly_proxy(L, -1);
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 2);
}

// Replaces global `name` (a library table) by an empty read-only proxy.
void protect_library(lua_State* L, const char* name) {
  lua_getglobal(L, name);
  MODEL_CHECK(lua_istable(L, -1));
  lua_newtable(L);                  // proxy
  push_readonly_metatable(L, -2);   // reads go to the library
  lua_setmetatable(L, -2);
  lua_setglobal(L, name);
  lua_pop(L, 1);
}

void open_library(lua_State* L, lua_CFunction open, const char* name) {
  lua_pushcfunction(L, open);
  lua_pushstring(L, name);
  lua_call(L, 1, 0);
}

}  // namespace

void open_script_libraries(lua_State* L, uint64_t* rand48, ScriptBudget* budget) {
  open_library(L, luaopen_base, "");
  open_library(L, luaopen_table, LUA_TABLIBNAME);
  open_library(L, luaopen_string, LUA_STRLIBNAME);
  open_library(L, luaopen_math, LUA_MATHLIBNAME);
  lua_getglobal(L, LUA_STRLIBNAME);
  open_bounded_patterns(L, budget);
  open_bounded_string_functions(L, budget);
  lua_pop(L, 1);
  lua_getglobal(L, LUA_TABLIBNAME);
  open_bounded_table_functions(L, budget);
  lua_pop(L, 1);
  open_bounded_base_functions(L, budget);
  // Not reachable from a Redis 7.0 script (checked on redis-server 7.0.15).
  for (const char* name : {"print", "setfenv", "getfenv", "newproxy", "dofile", "loadfile"}) {
    lua_pushnil(L);
    lua_setglobal(L, name);
  }

  lua_getglobal(L, LUA_MATHLIBNAME);
  lua_pushlightuserdata(L, rand48);
  lua_pushcclosure(L, math_random, 1);
  lua_setfield(L, -2, "random");
  lua_pushlightuserdata(L, rand48);
  lua_pushcclosure(L, math_randomseed, 1);
  lua_setfield(L, -2, "randomseed");
  lua_pop(L, 1);

  set_global_function(L, "rawset", guarded_rawset);
  set_global_function(L, "rawget", guarded_rawget);
  set_global_function(L, "setmetatable", guarded_setmetatable);
  set_global_function(L, "getmetatable", guarded_getmetatable);
  set_global_function(L, "pcall", redis_style_pcall);
}

void seal_globals(lua_State* L) {
  for (const char* name : {"redis", LUA_STRLIBNAME, LUA_TABLIBNAME, LUA_MATHLIBNAME, "coroutine"}) {
    protect_library(L, name);
  }
  protect_string_metatable(L);

  // Keep the real table in the registry (KEYS/ARGV are stored there), and
  // give code an empty proxy whose reads fall through to it.
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  lua_setfield(L, LUA_REGISTRYINDEX, kRealGlobals);
  lua_newtable(L);  // proxy
  push_readonly_metatable(L, LUA_GLOBALSINDEX);
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  lua_pushcclosure(L, globals_index, 1);
  lua_setfield(L, -2, "__index");
  // Redis's _G has a (read-only) metatable; getmetatable(_G) shows an
  // empty read-only table.
  lua_pushstring(L, kShownMetatable);
  lua_newtable(L);
  push_readonly_proxy(L, -1);
  lua_remove(L, -2);
  lua_rawset(L, -3);
  lua_setmetatable(L, -2);
  lua_pushstring(L, "_G");
  lua_pushvalue(L, -2);
  lua_rawset(L, LUA_GLOBALSINDEX);
  // From here on, code compiled in this state sees the proxy as globals.
  lua_replace(L, LUA_GLOBALSINDEX);
}

}  // namespace lockcheck::model
