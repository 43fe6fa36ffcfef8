// Embedded Lua 5.1 with Redis 7.0's scripting surface.
//
// Lua reports errors with longjmp, which skips C++ destructors. Every C
// function Lua calls here therefore keeps its C++ objects in State (owned by
// the engine, never on the stack) or lets them die before any Lua call that
// may raise. Conversions after lua_pcall run unprotected but with the memory
// cap lifted, so they cannot fail short of real exhaustion (then: abort).
#include "model/lua_engine.h"

#include <lua.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <set>

#include "model/check.h"
#include "model/lua_sandbox.h"
#include "model/sha1.h"
#include "model/text.h"

namespace lockcheck::model {

// A script may allocate this much before allocations fail ("not enough
// memory"); bounds string.rep and friends, which the step hook cannot see.
constexpr size_t kMemoryMax = 64 * 1024 * 1024;
// The hook fires at most every kStepTick instructions: cheap, yet the budget
// is enforced exactly (the last tick is shortened to what remains).
constexpr int64_t kStepTick = 1000;
// Nested tables deeper than this in a script's return value are refused
// (a self-referencing table would recurse forever; real Redis crashes).
constexpr int kReplyDepthMax = 128;


struct LuaEngine::State {
  lua_State* L = nullptr;
  std::set<std::string> scripts;  // shas with a compiled function in the registry

  size_t mem_used = 0;
  bool mem_limited = false;

  int64_t steps_max = 0;
  int64_t steps_used = 0;
  int64_t tick = 0;
  bool over_budget = false;

  // redis.call scratch space (see the file comment).
  ScriptHost* host = nullptr;
  std::vector<std::string> call_argv;
  Reply call_reply;
  std::string scratch;

  uint64_t rand48 = kRand48Initial;  // math.random state
};

namespace {

using State = LuaEngine::State;

State* state_of(lua_State* L) {
  void* ud = nullptr;
  lua_getallocf(L, &ud);
  return static_cast<State*>(ud);
}

void* counting_alloc(void* ud, void* ptr, size_t osize, size_t nsize) {
  State* s = static_cast<State*>(ud);
  if (nsize == 0) {
    std::free(ptr);
    s->mem_used -= osize;
    return nullptr;
  }
  if (s->mem_limited && nsize > osize && s->mem_used - osize + nsize > kMemoryMax) return nullptr;
  void* p = std::realloc(ptr, nsize);
  if (p == nullptr) return nullptr;
  s->mem_used = s->mem_used - osize + nsize;
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

// ---- instruction budget ------------------------------------------------------

void count_hook(lua_State* L, lua_Debug*) {
  State* s = state_of(L);
  if (!s->over_budget) {
    s->steps_used += s->tick;
    if (s->steps_used < s->steps_max) {
      s->tick = std::min(kStepTick, s->steps_max - s->steps_used);
    } else {
      // Exactly steps_max instructions ran; the next one is over budget.
      // Firing on every instruction from now on also defeats a script that
      // catches the error with pcall and keeps looping.
      s->over_budget = true;
      s->tick = 1;
    }
    lua_sethook(L, count_hook, LUA_MASKCOUNT, static_cast<int>(s->tick));
    return;
  }
  char msg[128];
  std::snprintf(msg, sizeof msg, "ERR Script exceeded the step limit of %lld Lua instructions",
                static_cast<long long>(s->steps_max));
  push_error_table(L, msg);
  lua_error(L);
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

// The string field `name` of the table on top, or null.
const char* string_field(lua_State* L, const char* name, size_t* len) {
  lua_pushstring(L, name);
  lua_rawget(L, -2);
  const char* p = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, len) : nullptr;
  lua_pop(L, 1);  // the string stays alive: the table still references it
  return p;
}

// Lua value on top -> Reply, as luaReplyToRedisReply() (RESP2). Sets
// *too_deep when nesting exceeds kReplyDepthMax.
Reply to_reply(lua_State* L, int depth, bool* too_deep) {
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
      if (depth > kReplyDepthMax || !lua_checkstack(L, 4)) {
        *too_deep = true;
        return Reply::nil();
      }
      size_t n = 0;
      if (const char* err = string_field(L, "err", &n)) return Reply::error(error_text(err, n));
      if (const char* ok = string_field(L, "ok", &n)) {
        return Reply::status(sanitize_error(std::string(ok, n)));
      }
      std::vector<Reply> elements;
      for (int j = 1;; ++j) {
        lua_rawgeti(L, -1, j);
        if (lua_isnil(L, -1)) {
          lua_pop(L, 1);
          break;
        }
        elements.push_back(to_reply(L, depth + 1, too_deep));
        if (*too_deep) return Reply::nil();
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

// Builds the interpreter as Redis 7.0 presents it to scripts: allow-listed
// libraries, a `redis` table, read-only globals whose unknown names raise.
lua_State* new_sandboxed_state(State* s) {
  lua_State* L = lua_newstate(counting_alloc, s);
  MODEL_CHECK(L != nullptr);
  lua_atpanic(L, panic);
  open_script_libraries(L, &s->rand48);

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
  return L;
}

void set_global_array(lua_State* L, const char* name, const std::vector<std::string>& items) {
  lua_getfield(L, LUA_REGISTRYINDEX, kRealGlobals);
  lua_pushstring(L, name);
  lua_createtable(L, static_cast<int>(items.size()), 0);
  for (size_t i = 0; i < items.size(); ++i) {
    lua_pushlstring(L, items[i].data(), items[i].size());
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

std::string function_name(const std::string& sha) { return "f_" + sha; }

// The reply for a failed lua_pcall, shaped as Redis's luaCallFunction().
Reply failure_reply(lua_State* L, int status, const std::string& sha) {
  if (status == LUA_ERRRUN && lua_istable(L, -1)) {
    size_t n = 0;
    const char* err = string_field(L, "err", &n);
    // Redis crashes on error({}); the model names the problem instead.
    std::string text = err ? std::string(err, n) : "ERR script raised an error without 'err' field";
    size_t src_len = 0;
    const char* source = string_field(L, "source", &src_len);
    lua_pushstring(L, "line");
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
  // Out of memory, error in the handler, or a non-table error object.
  const char* msg = lua_isstring(L, -1) ? lua_tostring(L, -1) : "execution failure";
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
    const std::string list = parts[p].substr(6);
    size_t start = 0;
    while (start <= list.size()) {
      size_t comma = list.find(',', start);
      if (comma == std::string::npos) comma = list.size();
      const std::string flag = list.substr(start, comma - start);
      if (!kFlags.count(flag)) return "ERR Unexpected flag in script shebang: " + flag;
      start = comma + 1;
    }
  }
  return std::nullopt;
}

}  // namespace

LuaEngine::LuaEngine(int64_t steps_max) : steps_max_(steps_max) {
  MODEL_CHECK(steps_max_ > 0);
  restart();
}

LuaEngine::~LuaEngine() {
  if (state_ && state_->L) lua_close(state_->L);
}

void LuaEngine::flush() {
  const uint64_t rand48 = state_->rand48;
  restart();
  state_->rand48 = rand48;
}

void LuaEngine::restart() {
  if (state_ && state_->L) lua_close(state_->L);
  state_ = std::make_unique<State>();
  state_->steps_max = steps_max_;
  state_->L = new_sandboxed_state(state_.get());
}

bool LuaEngine::has_script(const std::string& sha) const { return state_->scripts.count(sha) > 0; }

std::optional<std::string> LuaEngine::load(const std::string& sha, const std::string& body) {
  lua_State* L = state_->L;
  if (has_script(sha)) return std::nullopt;
  size_t shebang_len = 0;
  if (std::optional<std::string> err = check_shebang(body, &shebang_len)) return err;
  // The shebang line is cut but its newline kept, so line numbers hold.
  const char* code = body.data() + shebang_len;
  if (luaL_loadbuffer(L, code, body.size() - shebang_len, "@user_script") != 0) {
    const char* msg = lua_tostring(L, -1);
    std::string text = "ERR Error compiling script (new function): " + std::string(msg ? msg : "");
    lua_pop(L, 1);
    return error_text(text.data(), text.size());
  }
  lua_setfield(L, LUA_REGISTRYINDEX, function_name(sha).c_str());
  state_->scripts.insert(sha);
  return std::nullopt;
}

Reply LuaEngine::run(const std::string& sha, const std::vector<std::string>& keys,
                     const std::vector<std::string>& args, ScriptHost& host) {
  State& s = *state_;
  lua_State* L = s.L;
  MODEL_CHECK(has_script(sha));
  // Garbage from earlier scripts must not count against this one's cap.
  if (s.mem_used > kMemoryMax / 2) lua_gc(L, LUA_GCCOLLECT, 0);
  set_global_array(L, "KEYS", keys);
  set_global_array(L, "ARGV", args);

  const int base = lua_gettop(L);
  lua_pushcfunction(L, error_handler);
  lua_getfield(L, LUA_REGISTRYINDEX, function_name(sha).c_str());
  MODEL_CHECK(lua_isfunction(L, -1));

  s.host = &host;
  s.steps_used = 0;
  s.over_budget = false;
  s.tick = std::min(kStepTick, s.steps_max);
  lua_sethook(L, count_hook, LUA_MASKCOUNT, static_cast<int>(s.tick));
  s.mem_limited = true;
  const int status = lua_pcall(L, 0, 1, base + 1);
  s.mem_limited = false;
  lua_sethook(L, nullptr, 0, 0);
  s.host = nullptr;

  bool too_deep = false;
  Reply reply = status == 0 ? to_reply(L, 0, &too_deep) : failure_reply(L, status, sha);
  if (too_deep) reply = Reply::error("ERR reached lua stack limit");
  lua_settop(L, base);
  return reply;
}

}  // namespace lockcheck::model
