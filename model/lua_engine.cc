// Embedded Lua 5.1 with Redis 7.0's scripting surface.
//
// Lua reports errors with longjmp, which skips C++ destructors. Every C
// function Lua calls here therefore keeps its C++ objects in State (owned by
// the engine, never on the stack) or lets them die before any Lua call that
// may raise.
//
// The heap cap applies to every allocation, so anything that may allocate
// runs in protected mode (lua_pcall / lua_cpcall): setting up the
// interpreter, compiling, KEYS/ARGV, the script itself. What runs outside
// (reading the result, the failure's error table) only reads: registry
// references instead of pushed strings, and stack room reserved before the
// protected call returns.
#include "model/lua_engine.h"

#include <lua.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <set>

#include "base/text.h"
#include "model/check.h"
#include "model/lua_arena.h"
#include "model/lua_bounded_lib.h"
#include "model/lua_budget.h"
#include "model/lua_sandbox.h"
#include "model/sha1.h"
#include "model/text.h"

namespace lockcheck::model {

// Nested tables deeper than this in a script's return value are refused
// (a self-referencing table would recurse forever; real Redis crashes).
constexpr int kReplyDepthMax = 128;
// Stack slots the conversion of a result may use: a few per nesting level.
constexpr int kConversionStack = 4 * kReplyDepthMax + 16;
// The interpreter itself (libraries, sandbox) takes about 30 KB.
constexpr size_t kLuaMemoryMin = 1024 * 1024;

struct LuaEngine::State {
  lua_State* L = nullptr;
  // Shas with a compiled function in the registry, and the heap each one
  // holds (its code and constants).
  std::map<std::string, size_t> scripts;
  NodeLimits limits;

  // The heap, as the allocator counts it.
  size_t heap_used = 0;
  size_t heap_peak = 0;      // the most heap_used since the last instruction
  size_t heap_base = 0;      // the interpreter alone, before any script
  size_t heap_cached = 0;    // what the cached scripts hold
  size_t heap_after_gc = 0;  // heap_used after the last full collection
  // What the running script holds beyond heap_base + heap_cached: its own
  // compiled code and constants (the other scripts' it cannot reach).
  size_t heap_own_code = 0;

  // What the interpreter points at by light userdata lives in the arena
  // (LuaArena::pinned()), so that a restored interpreter points at it too.
  struct Pinned {
    uint64_t rand48;  // math.random's state
    ScriptBudget budget;
  };
  static_assert(sizeof(Pinned) <= LuaArena::kPinnedBytes);
  LuaArena* arena = nullptr;
  Pinned* pinned = nullptr;  // in *arena

  // Registry references: lua_rawgeti reads them without allocating or
  // hashing a name.
  struct Refs {
    int err = LUA_NOREF;  // the strings "err", "ok", "source", "line"
    int ok = LUA_NOREF;
    int source = LUA_NOREF;
    int line = LUA_NOREF;
    int error_handler = LUA_NOREF;
    int run_script = LUA_NOREF;
    int globals = LUA_NOREF;  // the real globals table (kRealGlobals)
    int keys_name = LUA_NOREF;  // the strings "KEYS", "ARGV"
    int argv_name = LUA_NOREF;
  };
  Refs refs;

  // Arguments of the protected calls (see load() and run()).
  const char* load_code = nullptr;
  size_t load_len = 0;
  size_t load_size = 0;  // what the script just loaded holds
  std::string function_key;  // registry key of the script being loaded or run
  std::span<const std::string> run_keys;
  std::span<const std::string> run_args;

  // redis.call scratch space (see the file comment).
  ScriptHost* host = nullptr;
  std::vector<std::string> call_argv;
  Reply call_reply;
  std::string scratch;

  // True from restart() until anything else touches the interpreter: it
  // is then the bytes of the slot's fresh snapshot (see load()).
  bool pristine = false;
};

// One interpreter's arena, kept across engines (see restart()), and
// snapshots of interpreters in it with what their State knew of them.
struct LuaEngine::Slot {
  explicit Slot(size_t capacity_bytes) : arena(capacity_bytes) {}
  LuaArena arena;
  lua_State* L = nullptr;  // where the saved interpreters live in the arena

  // The interpreter as built (empty until the first engine built it).
  LuaArena::Snapshot fresh;
  size_t fresh_heap_used = 0;
  State::Refs refs;  // the same in every interpreter saved here

  // A fresh interpreter after it compiled one script, the first one loaded
  // by the last engine whose first act was a load: every scenario loads
  // the same lock scripts, and compiling costs more than the copy.
  std::string first_sha;  // empty: none saved
  LuaArena::Snapshot with_first;
  size_t with_first_heap_used = 0;
  size_t with_first_heap_peak = 0;
  size_t with_first_heap_after_gc = 0;
  size_t first_load_size = 0;
};

namespace {

using State = LuaEngine::State;

State* state_of(lua_State* L) {
  void* ud = nullptr;
  lua_getallocf(L, &ud);
  return static_cast<State*>(ud);
}

// Every allocation of the interpreter counts against lua_memory_max; one
// that would pass it fails, which Lua reports as "not enough memory".
void* bounded_alloc(void* ud, void* ptr, size_t osize, size_t nsize) {
  State* s = static_cast<State*>(ud);
  if (nsize == 0) {
    s->arena->realloc(ptr, osize, 0);
    s->heap_used -= osize;
    return nullptr;
  }
  if (nsize > osize && s->heap_used - osize + nsize > s->limits.lua_memory_max) return nullptr;
  void* p = s->arena->realloc(ptr, osize, nsize);
  if (p == nullptr) return nullptr;
  s->heap_used = s->heap_used - osize + nsize;
  s->heap_peak = std::max(s->heap_peak, s->heap_used);
  return p;
}

int panic(lua_State* L) {
  const char* msg = lua_tostring(L, -1);
  std::fprintf(stderr, "model: unprotected Lua error: %s\n", msg ? msg : "?");
  std::abort();
}

// Pushes {err = msg}: the shape of every Redis error inside Lua.
void push_error_table(lua_State* L, const char* msg, size_t len) {
  lua_createtable(L, 0, 1);
  lua_pushstring(L, "err");
  lua_pushlstring(L, msg, len);
  lua_rawset(L, -3);
}

void push_error_table(lua_State* L, const char* msg) { push_error_table(L, msg, std::strlen(msg)); }

// ---- the step budget ----------------------------------------------------------

// The heap the running script may reach, at its peak since the last
// instruction: its KEYS, ARGV, code and constants, and all it allocated
// (and garbage not yet collected, an overestimate the collection at the
// start of each script bounds). Not the interpreter, not other scripts.
size_t script_heap(const State& s) {
  const size_t shared = s.heap_base + s.heap_cached;
  return (s.heap_peak > shared ? s.heap_peak - shared : 0) + s.heap_own_code;
}

// Runs before every VM instruction of a script (count 1: a bigger count
// would let one stretch of instructions run on a heap that grew inside
// it). The instruction costs a step, plus one per kHeapBytesPerStep of
// heap the script holds: an instruction may copy or compare any string it
// can reach, and that heap bounds them.
void count_hook(lua_State* L, lua_Debug*) {
  State* s = state_of(L);
  const size_t held = script_heap(*s);
  s->heap_peak = s->heap_used;
  charge_steps(L, &s->pinned->budget, 1 + static_cast<int64_t>(held) / kHeapBytesPerStep);
}

// ---- error handler (Redis's __redis__err__handler, in C) ---------------------

// Turns any error into {err=..., source=..., line=...} naming the script
// line that failed (the caller's line when a C function raised).
int error_handler(lua_State* L) {
  lua_Debug ar;
  bool have = lua_getstack(L, 1, &ar) && lua_getinfo(L, "nSl", &ar);
  if (have && std::strcmp(ar.what, "C") == 0) {
    have = lua_getstack(L, 2, &ar) && lua_getinfo(L, "nSl", &ar);
  }
  lua_settop(L, 1);
  if (!lua_istable(L, 1)) {
    lua_createtable(L, 0, 3);
    lua_pushstring(L, "err");
    lua_pushstring(L, "ERR ");
    switch (lua_type(L, 1)) {
      case LUA_TSTRING:
      case LUA_TNUMBER:
        lua_pushvalue(L, 1);
        break;
      case LUA_TBOOLEAN:
        lua_pushstring(L, lua_toboolean(L, 1) ? "true" : "false");
        break;
      default:
        // Redis prints tostring(err), which for functions and the like
        // contains an address: not deterministic, so the type name only.
        lua_pushstring(L, luaL_typename(L, 1));
        break;
    }
    lua_concat(L, 2);
    lua_rawset(L, 2);
    lua_replace(L, 1);
  }
  if (have) {
    lua_pushstring(L, "source");
    lua_pushstring(L, ar.source);
    lua_rawset(L, 1);
    lua_pushstring(L, "line");
    lua_pushinteger(L, ar.currentline);
    lua_rawset(L, 1);
  }
  return 1;
}

// ---- Redis <-> Lua conversions -------------------------------------------------

// Reply -> Lua value, as redisProtocolToLuaType() (RESP2).
void push_reply(lua_State* L, const Reply& r) {
  luaL_checkstack(L, 4, "reply too deep");
  switch (r.type) {
    case Reply::Type::kStatus:
      lua_createtable(L, 0, 1);
      lua_pushstring(L, "ok");
      lua_pushlstring(L, r.str.data(), r.str.size());
      lua_rawset(L, -3);
      return;
    case Reply::Type::kError:
      push_error_table(L, r.str.data(), r.str.size());
      return;
    case Reply::Type::kInteger:
      lua_pushnumber(L, static_cast<lua_Number>(r.integer));
      return;
    case Reply::Type::kBulk:
      lua_pushlstring(L, r.str.data(), r.str.size());
      return;
    case Reply::Type::kNil:
    case Reply::Type::kNilArray:
      lua_pushboolean(L, 0);
      return;
    case Reply::Type::kArray:
      lua_createtable(L, static_cast<int>(r.elements.size()), 0);
      for (size_t i = 0; i < r.elements.size(); ++i) {
        push_reply(L, r.elements[i]);
        lua_rawseti(L, -2, static_cast<int>(i + 1));
      }
      return;
  }
}

// (long long)d as Redis does; NaN/inf/out of range give INT64_MIN, which is
// what x86 produces there, without the undefined behaviour.
int64_t truncate_number(double d) {
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) {
    return std::numeric_limits<int64_t>::min();
  }
  return static_cast<int64_t>(d);
}

// Error text from a Lua {err=...} as addReplyErrorFormat() shapes it:
// trailing CR/LF trimmed, inner ones turned to spaces.
std::string error_text(const char* p, size_t n) {
  std::string s(p, n);
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n')) s.pop_back();
  return sanitize_error(std::move(s));
}

// The string field of the table on top whose key is the registry
// reference `key` ("err", "ok", ...), or null. Allocates nothing.
const char* string_field(lua_State* L, int key, size_t* len) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, key);
  lua_rawget(L, -2);
  const char* p = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, len) : nullptr;
  lua_pop(L, 1);  // the string stays alive: the table still references it
  return p;
}

// The reply the Lua value on top would convert to, counted but not built:
// a reply over the bounds is refused before it costs any memory (200
// references to one 16 MB string would make a 3.2 GB reply). False when
// the value nests deeper than kReplyDepthMax (*too_deep) or its size goes
// over the limits.
bool measure_result(lua_State* L, const State& s, int depth, ReplySize* size, bool* too_deep) {
  size->elements += 1;
  if (size->elements > s.limits.reply_elements_max) return false;
  switch (lua_type(L, -1)) {
    case LUA_TSTRING:
      size->bytes += static_cast<int64_t>(lua_objlen(L, -1));
      return size->bytes <= s.limits.reply_bytes_max;
    case LUA_TTABLE: {
      if (depth > kReplyDepthMax) {
        *too_deep = true;
        return false;
      }
      size_t n = 0;
      if (string_field(L, s.refs.err, &n) || string_field(L, s.refs.ok, &n)) {
        size->bytes += static_cast<int64_t>(n);
        return size->bytes <= s.limits.reply_bytes_max;
      }
      for (int j = 1;; ++j) {
        lua_rawgeti(L, -1, j);
        if (lua_isnil(L, -1)) {
          lua_pop(L, 1);
          return true;
        }
        const bool fits = measure_result(L, s, depth + 1, size, too_deep);
        lua_pop(L, 1);
        if (!fits) return false;
      }
    }
    default:
      return true;
  }
}

// Lua value on top -> Reply, as luaReplyToRedisReply() (RESP2). The value
// passed measure_result(): its depth and size are within bounds.
Reply to_reply(lua_State* L, const State& s) {
  switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
      size_t n = 0;
      const char* p = lua_tolstring(L, -1, &n);
      return Reply::bulk(std::string(p, n));
    }
    case LUA_TBOOLEAN:
      return lua_toboolean(L, -1) ? Reply::integer_reply(1) : Reply::nil();
    case LUA_TNUMBER:
      return Reply::integer_reply(truncate_number(lua_tonumber(L, -1)));
    case LUA_TTABLE: {
      size_t n = 0;
      if (const char* err = string_field(L, s.refs.err, &n)) return Reply::error(error_text(err, n));
      if (const char* ok = string_field(L, s.refs.ok, &n)) {
        return Reply::status(sanitize_error(std::string(ok, n)));
      }
      std::vector<Reply> elements;
      for (int j = 1;; ++j) {
        lua_rawgeti(L, -1, j);
        if (lua_isnil(L, -1)) {
          lua_pop(L, 1);
          break;
        }
        elements.push_back(to_reply(L, s));
        lua_pop(L, 1);
      }
      return Reply::array(std::move(elements));
    }
    default:
      return Reply::nil();
  }
}

// ---- the redis library -----------------------------------------------------------

// redis.call / redis.pcall. Errors become {err=...}: raised by call,
// returned by pcall.
int redis_call_generic(lua_State* L, bool raise) {
  State* s = state_of(L);
  const int argc = lua_gettop(L);
  const char* arg_error = nullptr;
  if (argc == 0) {
    arg_error = "ERR Please specify at least one argument for this redis lib call";
  } else {
    s->call_argv.resize(static_cast<size_t>(argc));
    for (int i = 1; i <= argc && !arg_error; ++i) {
      std::string& out = s->call_argv[static_cast<size_t>(i - 1)];
      if (lua_type(L, i) == LUA_TNUMBER) {
        // Not lua_tostring: Redis keeps 17 digits where Lua keeps 14.
        out = format_lua_number(lua_tonumber(L, i));
      } else if (lua_type(L, i) == LUA_TSTRING) {
        size_t n = 0;
        const char* p = lua_tolstring(L, i, &n);
        out.assign(p, n);
      } else {
        arg_error = "ERR Lua redis lib command arguments must be strings or integers";
      }
    }
  }
  if (arg_error) {
    push_error_table(L, arg_error);
    return raise ? lua_error(L) : 1;
  }
  MODEL_CHECK(s->host != nullptr);
  s->call_reply = s->host->call_from_script(s->call_argv);
  // The command's own work is not a Lua instruction: charge its reply.
  const ReplySize size = reply_size(s->call_reply);
  charge_steps(L, &s->pinned->budget, 1 + steps_for(size.elements, kOpsPerStep) + steps_for(size.bytes, kBytesPerStep));
  push_reply(L, s->call_reply);
  if (raise && s->call_reply.type == Reply::Type::kError) return lua_error(L);
  return 1;
}

int redis_call(lua_State* L) { return redis_call_generic(L, true); }
int redis_pcall(lua_State* L) { return redis_call_generic(L, false); }

int redis_sha1hex(lua_State* L) {
  if (lua_gettop(L) != 1) {
    push_error_table(L, "ERR wrong number of arguments");
    return lua_error(L);
  }
  size_t n = 0;
  const char* p = lua_tolstring(L, 1, &n);
  char hex[41];
  {
    const std::string digest = sha1_hex(p ? std::string_view(p, n) : std::string_view());
    std::memcpy(hex, digest.data(), 40);
  }
  lua_pushlstring(L, hex, 40);
  return 1;
}

// redis.error_reply: Redis's luaPushErrorBuff() parsing of "-CODE msg".
int redis_error_reply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TSTRING) {
    push_error_table(L, "ERR wrong number or type of arguments");
    return 1;
  }
  State* s = state_of(L);
  size_t n = 0;
  const char* p = lua_tolstring(L, 1, &n);
  std::string_view text(p, n);
  if (!text.empty() && text[0] == '-') text.remove_prefix(1);
  // "-CODE msg" keeps its code; a message without a space gets "ERR".
  // (Redis treats a string without '-' the same way after adding one.)
  const size_t space = text.find(' ');
  std::string_view code = "ERR";
  std::string_view msg = text;
  if (space != std::string_view::npos) {
    code = text.substr(0, space);
    msg = text.substr(space + 1);
  }
  while (!msg.empty() && (msg.back() == '\r' || msg.back() == '\n')) msg.remove_suffix(1);
  while (!msg.empty() && (msg.front() == '\r' || msg.front() == '\n')) msg.remove_prefix(1);
  s->scratch.assign(code);
  s->scratch += ' ';
  s->scratch += msg;
  push_error_table(L, s->scratch.data(), s->scratch.size());
  return 1;
}

int redis_status_reply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TSTRING) {
    push_error_table(L, "ERR wrong number or type of arguments");
    return 1;
  }
  lua_createtable(L, 0, 1);
  lua_pushstring(L, "ok");
  lua_pushvalue(L, 1);
  lua_rawset(L, -3);
  return 1;
}

// redis.log validates like Redis; the model has no log to write to.
int redis_log(lua_State* L) {
  const char* err = nullptr;
  if (lua_gettop(L) < 2) {
    err = "ERR redis.log() requires two arguments or more.";
  } else if (!lua_isnumber(L, 1)) {
    err = "ERR First argument must be a number (log level).";
  } else if (lua_tonumber(L, 1) < 0 || lua_tonumber(L, 1) > 3) {
    err = "ERR Invalid debug level.";
  }
  if (err) {
    push_error_table(L, err);
    return lua_error(L);
  }
  return 0;
}

// redis.setresp(2) is accepted; RESP3 (other reply shapes inside the
// script: nil for a null, maps) is deliberately not modeled, and says so
// instead of silently converting as RESP2.
int redis_setresp(lua_State* L) {
  const char* err = nullptr;
  if (lua_gettop(L) != 1) {
    err = "ERR redis.setresp() requires one argument.";
  } else {
    const lua_Number v = lua_tonumber(L, 1);
    if (v != 2 && v != 3) {
      err = "ERR RESP version must be 2 or 3.";
    } else if (v == 3) {
      err = "ERR redis.setresp(3) is not supported by the lockcheck model (RESP2 only)";
    }
  }
  if (err) {
    push_error_table(L, err);
    return lua_error(L);
  }
  return 0;
}

int redis_replicate_commands(lua_State* L) {
  lua_pushboolean(L, 1);  // always on in Redis 7
  return 1;
}

void register_fn(lua_State* L, const char* name, lua_CFunction fn) {
  lua_pushcfunction(L, fn);
  lua_setfield(L, -2, name);
}

// The strings the conversions look up, kept in the registry so that
// reading them later allocates nothing.
int ref_string(lua_State* L, const char* text) {
  lua_pushstring(L, text);
  return luaL_ref(L, LUA_REGISTRYINDEX);
}

int ref_function(lua_State* L, lua_CFunction fn) {
  lua_pushcfunction(L, fn);
  return luaL_ref(L, LUA_REGISTRYINDEX);
}

void set_global_array(lua_State* L, const State::Refs& refs, int name_ref, std::span<const std::string> items) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, refs.globals);
  lua_rawgeti(L, LUA_REGISTRYINDEX, name_ref);
  lua_createtable(L, static_cast<int>(items.size()), 0);
  for (size_t i = 0; i < items.size(); ++i) {
    lua_pushlstring(L, items[i].data(), items[i].size());
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

// The script function, run in protected mode with the error handler (see
// LuaEngine::run): KEYS and ARGV, the function from the cache, the script
// under its budget, then stack room for the conversion of its result.
int run_script(lua_State* L) {
  State* s = state_of(L);
  // Garbage of earlier scripts would count as this one's heap: collect
  // whenever it may have doubled the heap (amortized, and deterministic).
  if (s->heap_used > 2 * s->heap_after_gc) {
    lua_gc(L, LUA_GCCOLLECT, 0);
    s->heap_after_gc = s->heap_used;
  }
  // A script may have stopped or retuned the collector: not for this one.
  lua_gc(L, LUA_GCRESTART, 0);
  lua_gc(L, LUA_GCSETPAUSE, 200);
  lua_gc(L, LUA_GCSETSTEPMUL, 200);
  s->heap_peak = s->heap_used;  // from here on KEYS and ARGV count
  set_global_array(L, s->refs, s->refs.keys_name, s->run_keys);
  set_global_array(L, s->refs, s->refs.argv_name, s->run_args);
  lua_getfield(L, LUA_REGISTRYINDEX, s->function_key.c_str());
  MODEL_CHECK(lua_isfunction(L, -1));

  s->pinned->budget.steps_used = 0;
  s->pinned->budget.exhausted = false;
  lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
  lua_call(L, 0, 1);
  lua_sethook(L, nullptr, 0, 0);
  luaL_checkstack(L, kConversionStack, "reply too deep");
  return 1;
}

// Compiles the script in State's load_* fields and stores it under
// function_key; on failure raises the compiler's message. Collects before
// and after, so that the growth of the heap is what the script holds.
int load_script(lua_State* L) {
  State* s = static_cast<State*>(lua_touserdata(L, 1));
  lua_gc(L, LUA_GCCOLLECT, 0);
  const size_t before = s->heap_used;
  if (load_text_chunk(L, s->load_code, s->load_len, "@user_script") != 0) return lua_error(L);
  lua_setfield(L, LUA_REGISTRYINDEX, s->function_key.c_str());
  lua_gc(L, LUA_GCCOLLECT, 0);
  s->heap_after_gc = s->heap_used;
  s->load_size = s->heap_used > before ? s->heap_used - before : 0;
  return 0;
}

// Builds the interpreter as Redis 7.0 presents it to scripts: allow-listed
// libraries, a `redis` table, read-only globals whose unknown names raise.
int set_up_sandbox(lua_State* L) {
  State* s = static_cast<State*>(lua_touserdata(L, 1));
  open_script_libraries(L, &s->pinned->rand48, &s->pinned->budget);

  lua_createtable(L, 0, 12);
  register_fn(L, "call", redis_call);
  register_fn(L, "pcall", redis_pcall);
  register_fn(L, "sha1hex", redis_sha1hex);
  register_fn(L, "error_reply", redis_error_reply);
  register_fn(L, "status_reply", redis_status_reply);
  register_fn(L, "log", redis_log);
  register_fn(L, "replicate_commands", redis_replicate_commands);
  register_fn(L, "setresp", redis_setresp);
  const char* levels[] = {"LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE", "LOG_WARNING"};
  for (int i = 0; i < 4; ++i) {
    lua_pushinteger(L, i);
    lua_setfield(L, -2, levels[i]);
  }
  lua_setglobal(L, "redis");

  seal_globals(L);

  s->refs.err = ref_string(L, "err");
  s->refs.ok = ref_string(L, "ok");
  s->refs.source = ref_string(L, "source");
  s->refs.line = ref_string(L, "line");
  s->refs.error_handler = ref_function(L, error_handler);
  s->refs.run_script = ref_function(L, run_script);
  lua_getfield(L, LUA_REGISTRYINDEX, kRealGlobals);
  s->refs.globals = luaL_ref(L, LUA_REGISTRYINDEX);
  s->refs.keys_name = ref_string(L, "KEYS");
  s->refs.argv_name = ref_string(L, "ARGV");
  lua_gc(L, LUA_GCCOLLECT, 0);
  return 0;
}

std::string function_name(const std::string& sha) { return "f_" + sha; }

// The reply for a failed lua_pcall, shaped as Redis's luaCallFunction().
Reply failure_reply(lua_State* L, const State& s, int status, const std::string& sha) {
  if (status == LUA_ERRRUN && lua_istable(L, -1)) {
    size_t n = 0;
    const char* err = string_field(L, s.refs.err, &n);
    // Redis crashes on error({}); the model names the problem instead.
    std::string text = err ? std::string(err, n) : "ERR script raised an error without 'err' field";
    size_t src_len = 0;
    const char* source = string_field(L, s.refs.source, &src_len);
    lua_rawgeti(L, LUA_REGISTRYINDEX, s.refs.line);
    lua_rawget(L, -2);
    const bool has_line = lua_type(L, -1) == LUA_TNUMBER;
    const int64_t line = has_line ? truncate_number(lua_tonumber(L, -1)) : 0;
    lua_pop(L, 1);
    if (source && has_line) {
      text += " script: " + sha + ", on " + std::string(source, src_len) + ":" +
              std::to_string(line) + ".";
    }
    return Reply::error(sanitize_error(std::move(text)));
  }
  // Out of memory, or an error in the error handler: Lua's message.
  const char* msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "execution failure";
  std::string text = "ERR Error running script " + sha + ", " + std::string(msg).substr(0, 100);
  return Reply::error(error_text(text.data(), text.size()));
}

// Redis 7.0's "#!lua [flags=a,b]" first line (evalExtractShebangFlags()).
// The flags are validated but not enforced (no-writes etc. are not modeled).
std::optional<std::string> check_shebang(const std::string& body, size_t* len) {
  *len = 0;
  if (body.rfind("#!", 0) != 0) return std::nullopt;
  const size_t end = body.find('\n');
  if (end == std::string::npos) return "ERR Invalid script shebang";
  *len = end;
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < end) {
    while (i < end && std::isspace(static_cast<unsigned char>(body[i]))) ++i;
    size_t j = i;
    while (j < end && !std::isspace(static_cast<unsigned char>(body[j]))) ++j;
    if (j > i) parts.push_back(body.substr(i, j - i));
    i = j;
  }
  if (parts.empty()) return "ERR Invalid engine in script shebang";
  if (parts[0] != "#!lua") return "ERR Unexpected engine in script shebang: " + parts[0];
  static const std::set<std::string> kFlags = {"no-writes", "allow-oom", "allow-stale",
                                               "no-cluster", "allow-cross-slot-keys"};
  for (size_t p = 1; p < parts.size(); ++p) {
    if (parts[p].rfind("flags=", 0) != 0) return "ERR Unknown lua shebang option: " + parts[p];
    for (const std::string_view flag : split_list(std::string_view(parts[p]).substr(6))) {
      if (!kFlags.count(std::string(flag))) return "ERR Unexpected flag in script shebang: " + std::string(flag);
    }
  }
  return std::nullopt;
}

}  // namespace

namespace {

// The arena of an interpreter whose heap may reach lua_memory_max: room
// for the size classes' rounding and for blocks freed in one class while
// another is needed (out of room is "not enough memory", as the cap is).
size_t arena_bytes(size_t lua_memory_max) { return 4 * lua_memory_max + kLuaMemoryMin; }

// Each thread keeps the slots of engines it destroyed, for the next engines
// it builds: a simulator builds one engine per node per scenario, and its
// next scenario takes the same slots back. Reuse is only an optimisation:
// a restored interpreter is the same bytes as a newly built one.
constexpr size_t kIdleSlotsMax = 64;

// Set once this thread's pool is gone (at thread exit): an engine that
// outlives it (a static one: the main thread's thread_locals go first)
// frees its slot instead.
thread_local bool slot_pool_gone = false;

struct SlotPool {
  std::vector<std::unique_ptr<LuaEngine::Slot>> idle;
  ~SlotPool() { slot_pool_gone = true; }
};

SlotPool& slot_pool() {
  thread_local SlotPool pool;
  return pool;
}

}  // namespace

LuaEngine::LuaEngine(const NodeLimits& limits) : limits_(limits) {
  MODEL_CHECK(limits_.lua_steps_max > 0);
  MODEL_CHECK(limits_.lua_memory_max >= kLuaMemoryMin);
  MODEL_CHECK(limits_.reply_bytes_max > 0 && limits_.reply_elements_max > 0);
  const size_t capacity = arena_bytes(limits_.lua_memory_max);
  std::vector<std::unique_ptr<Slot>>* idle = slot_pool_gone ? nullptr : &slot_pool().idle;
  for (size_t i = idle ? idle->size() : 0; i > 0; --i) {
    if ((*idle)[i - 1]->arena.capacity_bytes() == capacity) {
      slot_ = std::move((*idle)[i - 1]);
      idle->erase(idle->begin() + static_cast<std::ptrdiff_t>(i - 1));
      break;
    }
  }
  if (!slot_) slot_ = std::make_unique<Slot>(capacity);
  restart();
}

LuaEngine::~LuaEngine() {
  // The interpreter needs no lua_close: its memory is the arena's, and the
  // sandbox has no userdata whose __gc would run.
  state_.reset();
  if (slot_pool_gone) return;
  std::vector<std::unique_ptr<Slot>>& idle = slot_pool().idle;
  if (idle.size() < kIdleSlotsMax) idle.push_back(std::move(slot_));
}

void LuaEngine::flush() {
  const uint64_t rand48 = state_->pinned->rand48;
  restart();
  state_->pinned->rand48 = rand48;
}

void LuaEngine::restart() {
  state_ = std::make_unique<State>();
  State& s = *state_;
  Slot& slot = *slot_;
  s.limits = limits_;
  s.arena = &slot.arena;
  if (!slot.fresh.empty()) {
    // The interpreter as it was built, byte for byte, at the same address;
    // only the allocator's user data (this State) is new.
    slot.arena.restore(slot.fresh);
    s.L = slot.L;
    lua_setallocf(s.L, bounded_alloc, &s);
    s.heap_used = slot.fresh_heap_used;
    s.refs = slot.refs;
  } else {
    slot.arena.reset();
    s.L = lua_newstate(bounded_alloc, &s);
    MODEL_CHECK(s.L != nullptr);
    lua_atpanic(s.L, panic);
    s.pinned = static_cast<State::Pinned*>(slot.arena.pinned());
    *s.pinned = State::Pinned{kRand48Initial, ScriptBudget{}};
    // Fails only if lua_memory_max cannot hold the interpreter.
    MODEL_CHECK(lua_cpcall(s.L, set_up_sandbox, &s) == 0);
    slot.fresh = slot.arena.save();
    slot.L = s.L;
    slot.fresh_heap_used = s.heap_used;
    slot.refs = s.refs;
  }
  s.pinned = static_cast<State::Pinned*>(slot.arena.pinned());
  *s.pinned = State::Pinned{kRand48Initial, ScriptBudget{limits_.lua_steps_max, 0, false}};
  s.heap_base = s.heap_used;
  s.heap_after_gc = s.heap_used;
  s.heap_peak = s.heap_used;
  s.pristine = true;
}

bool LuaEngine::has_script(const std::string& sha) const { return state_->scripts.count(sha) > 0; }

std::optional<std::string> LuaEngine::load(const std::string& sha, const std::string& body) {
  State& s = *state_;
  lua_State* L = s.L;
  if (has_script(sha)) return std::nullopt;
  size_t shebang_len = 0;
  if (std::optional<std::string> err = check_shebang(body, &shebang_len)) return err;
  // The shebang line is cut but its newline kept, so line numbers hold.
  s.load_code = body.data() + shebang_len;
  s.load_len = body.size() - shebang_len;
  Slot& slot = *slot_;
  const bool was_pristine = s.pristine;
  s.pristine = false;
  if (was_pristine && sha == slot.first_sha) {
    // The fresh interpreter compiling this script again would make the
    // same bytes (same bytes in, same script: a sha names its body).
    const State::Pinned pinned = *s.pinned;  // this engine's: rand48 runs on after a flush
    slot.arena.restore(slot.with_first);
    *s.pinned = pinned;
    lua_setallocf(L, bounded_alloc, &s);
    s.heap_used = slot.with_first_heap_used;
    s.heap_peak = slot.with_first_heap_peak;
    s.heap_after_gc = slot.with_first_heap_after_gc;
    s.load_size = slot.first_load_size;
  } else {
    s.function_key = function_name(sha);
    if (lua_cpcall(L, load_script, &s) != 0) {
      const char* msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
      std::string text = "ERR Error compiling script (new function): " + std::string(msg);
      lua_pop(L, 1);
      return error_text(text.data(), text.size());
    }
    if (was_pristine) {
      slot.first_sha = sha;
      slot.with_first = slot.arena.save();
      slot.with_first_heap_used = s.heap_used;
      slot.with_first_heap_peak = s.heap_peak;
      slot.with_first_heap_after_gc = s.heap_after_gc;
      slot.first_load_size = s.load_size;
    }
  }
  s.scripts.emplace(sha, s.load_size);
  s.heap_cached += s.load_size;
  return std::nullopt;
}

Reply LuaEngine::run(const std::string& sha, std::span<const std::string> keys,
                     std::span<const std::string> args, ScriptHost& host) {
  State& s = *state_;
  lua_State* L = s.L;
  MODEL_CHECK(has_script(sha));
  s.pristine = false;
  s.function_key.assign("f_");  // function_name(sha), in the kept buffer
  s.function_key += sha;
  s.heap_own_code = s.scripts.at(sha);
  s.run_keys = keys;
  s.run_args = args;
  s.host = &host;

  const int base = lua_gettop(L);
  lua_rawgeti(L, LUA_REGISTRYINDEX, s.refs.error_handler);
  lua_rawgeti(L, LUA_REGISTRYINDEX, s.refs.run_script);
  const int status = lua_pcall(L, 0, 1, base + 1);
  lua_sethook(L, nullptr, 0, 0);  // the script may have ended with an error
  s.host = nullptr;
  s.run_keys = {};
  s.run_args = {};

  Reply reply;
  if (status != 0) {
    reply = failure_reply(L, s, status, sha);
  } else {
    ReplySize size;
    bool too_deep = false;
    if (measure_result(L, s, 0, &size, &too_deep)) {
      reply = to_reply(L, s);
    } else {
      reply = Reply::error(too_deep ? "ERR reached lua stack limit" : kErrReplyTooLarge);
    }
  }
  lua_settop(L, base);
  return reply;
}

}  // namespace lockcheck::model
