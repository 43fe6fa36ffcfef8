// The sandbox Redis 7.0 builds around scripts, rebuilt on stock Lua 5.1
// (Redis patches Lua for read-only tables; here read-only tables are empty
// proxies whose metatable reads through to the real table).
#include "model/lua_sandbox.h"

#include <cmath>
#include <initializer_list>
#include <limits>

#include "model/check.h"

namespace lockcheck::model {
namespace {

constexpr const char* kReadonlyMarker = "__lockcheck_readonly";
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
      lua_pushnumber(L, std::floor(r * (u - l + 1)) + l);
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

// Calls the original function (upvalue 1) with this call's arguments.
int call_original(lua_State* L) {
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

int raise_readonly(lua_State* L) {
  lua_pushstring(L, kReadonlyError);  // no position, as Redis's rawset check
  return lua_error(L);
}

// rawset / setmetatable refuse the protected tables.
int guarded_modify(lua_State* L) {
  if (push_backing_table(L, 1)) return raise_readonly(L);
  return call_original(L);
}

// rawget reads through a proxy, as it would on Redis's read-only table.
int guarded_rawget(lua_State* L) {
  if (push_backing_table(L, 1)) lua_replace(L, 1);
  return call_original(L);
}

void wrap_global(lua_State* L, const char* name, lua_CFunction wrapper) {
  lua_getglobal(L, name);
  lua_pushcclosure(L, wrapper, 1);
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
  // getmetatable() sees an empty table, not the machinery.
  lua_newtable(L);
  lua_setfield(L, -2, "__metatable");
  lua_pushvalue(L, index);
  lua_setfield(L, -2, kReadonlyMarker);
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

void open_script_libraries(lua_State* L, uint64_t* rand48) {
  open_library(L, luaopen_base, "");
  open_library(L, luaopen_table, LUA_TABLIBNAME);
  open_library(L, luaopen_string, LUA_STRLIBNAME);
  open_library(L, luaopen_math, LUA_MATHLIBNAME);
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

  wrap_global(L, "rawset", guarded_modify);
  wrap_global(L, "setmetatable", guarded_modify);
  wrap_global(L, "rawget", guarded_rawget);
  lua_pushcfunction(L, redis_style_pcall);
  lua_setglobal(L, "pcall");
}

void seal_globals(lua_State* L) {
  for (const char* name : {"redis", LUA_STRLIBNAME, LUA_TABLIBNAME, LUA_MATHLIBNAME, "coroutine"}) {
    protect_library(L, name);
  }

  // Keep the real table in the registry (KEYS/ARGV are stored there), and
  // give code an empty proxy whose reads fall through to it.
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  lua_setfield(L, LUA_REGISTRYINDEX, kRealGlobals);
  lua_newtable(L);  // proxy
  push_readonly_metatable(L, LUA_GLOBALSINDEX);
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  lua_pushcclosure(L, globals_index, 1);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, -2);
  lua_pushstring(L, "_G");
  lua_pushvalue(L, -2);
  lua_rawset(L, LUA_GLOBALSINDEX);
  // From here on, code compiled in this state sees the proxy as globals.
  lua_replace(L, LUA_GLOBALSINDEX);
}

}  // namespace lockcheck::model
