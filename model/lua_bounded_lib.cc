// Written for lockcheck to Lua 5.1.5's documented behaviour and error
// texts (checked side by side with stock Lua in lua_bounded_lib_test.cc).
//
// Every function here may raise a Lua error (a longjmp): no C++ object
// with a destructor lives in these frames.
#include "model/lua_bounded_lib.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace lockcheck::model {
namespace {

// Repetitions of string.rep per step (each is a call and a copy).
constexpr int64_t kRepeatsPerStep = 64;
// Source bytes loadstring/load compile per step.
constexpr int64_t kSourceBytesPerStep = 64;

int64_t saturating_product(int64_t a, int64_t b) {
  int64_t out = 0;
  return __builtin_mul_overflow(a, b, &out) ? INT64_MAX : out;
}

void set_closure(lua_State* L, const char* name, lua_CFunction fn, ScriptBudget* budget) {
  lua_pushlightuserdata(L, budget);
  lua_pushcclosure(L, fn, 1);
  lua_setfield(L, -2, name);
}

// ---- string ---------------------------------------------------------------

int str_rep(lua_State* L) {
  size_t len = 0;
  const char* s = luaL_checklstring(L, 1, &len);
  const int n = luaL_checkint(L, 2);
  if (n > 0) {
    const int64_t bytes = saturating_product(n, static_cast<int64_t>(len));
    charge_steps(L, budget_upvalue(L), steps_for(n, kRepeatsPerStep) + steps_for(bytes, kBytesPerStep));
  }
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (int k = n; k > 0; --k) luaL_addlstring(&b, s, len);
  luaL_pushresult(&b);
  return 1;
}

// ---- table ----------------------------------------------------------------

// Lua 5.1's aux_getn (luaL_getn is lua_objlen without LUA_COMPAT_GETN).
int table_length(lua_State* L, int index) {
  luaL_checktype(L, index, LUA_TTABLE);
  return static_cast<int>(lua_objlen(L, index));
}

void charge_ops(lua_State* L, int64_t ops) {
  charge_steps(L, budget_upvalue(L), steps_for(ops, kOpsPerStep));
}

int table_insert(lua_State* L) {
  int e = table_length(L, 1) + 1;  // first empty element
  int pos = 0;
  switch (lua_gettop(L)) {
    case 2:
      pos = e;
      break;
    case 3: {
      pos = luaL_checkint(L, 2);
      if (pos > e) e = pos;  // 5.1 "grows" the array
      // A position far below 1 moves every index between: charge them all.
      charge_ops(L, static_cast<int64_t>(e) - pos);
      for (int i = e; i > pos; --i) {
        lua_rawgeti(L, 1, i - 1);
        lua_rawseti(L, 1, i);
      }
      break;
    }
    default:
      return luaL_error(L, "wrong number of arguments to 'insert'");
  }
  lua_rawseti(L, 1, pos);
  return 0;
}

int table_remove(lua_State* L) {
  const int e = table_length(L, 1);
  int pos = luaL_optint(L, 2, e);
  if (!(1 <= pos && pos <= e)) return 0;  // nothing to remove
  charge_ops(L, static_cast<int64_t>(e) - pos);
  lua_rawgeti(L, 1, pos);
  for (; pos < e; ++pos) {
    lua_rawgeti(L, 1, pos + 1);
    lua_rawseti(L, 1, pos);
  }
  lua_pushnil(L);
  lua_rawseti(L, 1, e);
  return 1;
}

void concat_field(lua_State* L, luaL_Buffer* b, int i, WorkMeter* meter) {
  meter->add_ops(1);
  lua_rawgeti(L, 1, i);
  if (!lua_isstring(L, -1)) {
    // Redis's Lua (and Debian's) word it as Lua 5.2 does.
    luaL_error(L, "invalid value (%s) at index %d in table for 'concat'", luaL_typename(L, -1), i);
  }
  size_t len = 0;
  lua_tolstring(L, -1, &len);
  meter->add_bytes(static_cast<int64_t>(len));
  luaL_addvalue(b);
}

int table_concat(lua_State* L) {
  size_t sep_len = 0;
  const char* sep = luaL_optlstring(L, 2, "", &sep_len);
  luaL_checktype(L, 1, LUA_TTABLE);
  int i = luaL_optint(L, 3, 1);
  const int last = luaL_opt(L, luaL_checkint, 4, static_cast<int>(lua_objlen(L, 1)));
  WorkMeter meter{L, budget_upvalue(L)};
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (; i < last; ++i) {
    concat_field(L, &b, i, &meter);
    meter.add_bytes(static_cast<int64_t>(sep_len));
    luaL_addlstring(&b, sep, sep_len);
  }
  if (i == last) concat_field(L, &b, i, &meter);  // the last one (if the range was not empty)
  luaL_pushresult(&b);
  return 1;
}

int table_foreachi(lua_State* L) {
  const int n = table_length(L, 1);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  for (int i = 1; i <= n; ++i) {
    charge_steps(L, budget_upvalue(L), 1);  // the callback may be a C function
    lua_pushvalue(L, 2);
    lua_pushinteger(L, i);
    lua_rawgeti(L, 1, i);
    lua_call(L, 2, 1);
    if (!lua_isnil(L, -1)) return 1;
    lua_pop(L, 1);
  }
  return 0;
}

int table_foreach(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_pushnil(L);
  while (lua_next(L, 1)) {
    charge_steps(L, budget_upvalue(L), 1);
    lua_pushvalue(L, 2);
    lua_pushvalue(L, -3);  // key
    lua_pushvalue(L, -3);  // value
    lua_call(L, 2, 1);
    if (!lua_isnil(L, -1)) return 1;
    lua_pop(L, 2);  // value and result
  }
  return 0;
}

int table_maxn(lua_State* L) {
  lua_Number max = 0;
  luaL_checktype(L, 1, LUA_TTABLE);
  WorkMeter meter{L, budget_upvalue(L)};
  lua_pushnil(L);
  while (lua_next(L, 1)) {
    meter.add_ops(1);
    lua_pop(L, 1);
    if (lua_type(L, -1) == LUA_TNUMBER) max = std::max(max, lua_tonumber(L, -1));
  }
  lua_pushnumber(L, max);
  return 1;
}

// table.sort: Lua 5.1's quicksort, comparison for comparison (the order in
// which a comparator is called is visible to scripts), with every
// comparison charged: bad input makes it quadratic.
struct Sort {
  lua_State* L;
  WorkMeter meter;
};

void sort_set2(lua_State* L, int i, int j) {
  lua_rawseti(L, 1, i);
  lua_rawseti(L, 1, j);
}

bool sort_less(Sort* sort, int a, int b) {
  lua_State* L = sort->L;
  sort->meter.add_ops(1);
  if (lua_type(L, a) == LUA_TSTRING && lua_type(L, b) == LUA_TSTRING) {
    // The default order compares strings byte by byte (strcoll).
    sort->meter.add_bytes(static_cast<int64_t>(std::min(lua_objlen(L, a), lua_objlen(L, b))));
  }
  if (lua_isnil(L, 2)) return lua_lessthan(L, a, b) != 0;
  lua_pushvalue(L, 2);
  lua_pushvalue(L, a - 1);  // -1: the function is pushed
  lua_pushvalue(L, b - 2);  // -2: the function and a
  lua_call(L, 2, 1);
  const bool less = lua_toboolean(L, -1) != 0;
  lua_pop(L, 1);
  return less;
}

void sort_range(Sort* sort, int l, int u) {
  lua_State* L = sort->L;
  while (l < u) {  // loop for the larger half, recursion for the smaller
    // Order a[l], a[(l+u)/2] and a[u].
    lua_rawgeti(L, 1, l);
    lua_rawgeti(L, 1, u);
    if (sort_less(sort, -1, -2)) {
      sort_set2(L, l, u);
    } else {
      lua_pop(L, 2);
    }
    if (u - l == 1) break;
    int i = (l + u) / 2;
    lua_rawgeti(L, 1, i);
    lua_rawgeti(L, 1, l);
    if (sort_less(sort, -2, -1)) {
      sort_set2(L, i, l);
    } else {
      lua_pop(L, 1);
      lua_rawgeti(L, 1, u);
      if (sort_less(sort, -1, -2)) {
        sort_set2(L, i, u);
      } else {
        lua_pop(L, 2);
      }
    }
    if (u - l == 2) break;
    lua_rawgeti(L, 1, i);  // the pivot P
    lua_pushvalue(L, -1);
    lua_rawgeti(L, 1, u - 1);
    sort_set2(L, i, u - 1);
    // a[l] <= P == a[u-1] <= a[u]: partition a[l+1 .. u-2].
    i = l;
    int j = u - 1;
    for (;;) {
      while (lua_rawgeti(L, 1, ++i), sort_less(sort, -1, -2)) {
        if (i > u) luaL_error(L, "invalid order function for sorting");
        lua_pop(L, 1);
      }
      while (lua_rawgeti(L, 1, --j), sort_less(sort, -3, -1)) {
        if (j < l) luaL_error(L, "invalid order function for sorting");
        lua_pop(L, 1);
      }
      if (j < i) {
        lua_pop(L, 3);  // the pivot, a[i], a[j]
        break;
      }
      sort_set2(L, i, j);
    }
    lua_rawgeti(L, 1, u - 1);
    lua_rawgeti(L, 1, i);
    sort_set2(L, u - 1, i);  // the pivot goes to a[i]
    // Recurse into the smaller half [j..i], loop on the larger [l..u].
    if (i - l < u - i) {
      j = l;
      i = i - 1;
      l = i + 2;
    } else {
      j = i + 1;
      i = u;
      u = j - 2;
    }
    sort_range(sort, j, i);
  }
}

int table_sort(lua_State* L) {
  const int n = table_length(L, 1);
  luaL_checkstack(L, 40, "");  // the recursion depth is below 40 (arrays < 2^40)
  if (!lua_isnoneornil(L, 2)) luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_settop(L, 2);
  Sort sort{L, WorkMeter{L, budget_upvalue(L)}};
  sort_range(&sort, 1, n);
  return 0;
}

// ---- base -----------------------------------------------------------------

int base_collectgarbage(lua_State* L) {
  static const char* const kOptions[] = {"stop", "restart", "collect", "count",
                                         "step", "setpause", "setstepmul", nullptr};
  static const int kWhat[] = {LUA_GCSTOP, LUA_GCRESTART, LUA_GCCOLLECT, LUA_GCCOUNT,
                              LUA_GCSTEP, LUA_GCSETPAUSE, LUA_GCSETSTEPMUL};
  const int what = kWhat[luaL_checkoption(L, 1, "collect", kOptions)];
  int arg = luaL_optint(L, 2, 0);
  if (what == LUA_GCCOLLECT || what == LUA_GCSTEP) {
    // Either may run a whole collection: it visits the whole heap.
    const int64_t heap = int64_t{lua_gc(L, LUA_GCCOUNT, 0)} * 1024 + lua_gc(L, LUA_GCCOUNTB, 0);
    charge_steps(L, budget_upvalue(L), 1 + steps_for(heap, kGcBytesPerStep));
  }
  if (what == LUA_GCSETSTEPMUL) arg = std::clamp(arg, 1, kGcStepMulMax);
  const int result = lua_gc(L, what, arg);
  switch (what) {
    case LUA_GCCOUNT:
      lua_pushnumber(L, result + static_cast<lua_Number>(lua_gc(L, LUA_GCCOUNTB, 0)) / 1024);
      return 1;
    case LUA_GCSTEP:
      lua_pushboolean(L, result);
      return 1;
    default:
      lua_pushnumber(L, result);
      return 1;
  }
}

// Lua decides between its text parser and its bytecode loader by the first
// byte of the stream. Redis's Lua only has the text parser; stock Lua gets
// the same by seeing a space first, which changes no token and no line.
struct TextSource {
  const char* text;
  size_t len;
  int pieces_read;
};

const char* read_text(lua_State*, void* ud, size_t* size) {
  auto* src = static_cast<TextSource*>(ud);
  switch (src->pieces_read++) {
    case 0:
      *size = 1;
      return " ";
    case 1:
      *size = src->len;
      return src->len > 0 ? src->text : nullptr;
    default:
      *size = 0;
      return nullptr;
  }
}

// load(func): Lua 5.1's generic_reader behind the same leading space.
struct FunctionSource {
  ScriptBudget* budget;
  bool space_sent;
};

const char* read_from_function(lua_State* L, void* ud, size_t* size) {
  auto* src = static_cast<FunctionSource*>(ud);
  if (!src->space_sent) {
    src->space_sent = true;
    *size = 1;
    return " ";
  }
  luaL_checkstack(L, 2, "too many nested functions");
  lua_pushvalue(L, 1);
  lua_call(L, 0, 1);
  if (lua_isnil(L, -1)) {
    *size = 0;
    return nullptr;
  }
  if (!lua_isstring(L, -1)) luaL_error(L, "reader function must return a string");
  lua_replace(L, 3);  // keeps the piece alive while the parser reads it
  const char* piece = lua_tolstring(L, 3, size);
  charge_steps(L, src->budget, steps_for(static_cast<int64_t>(*size), kSourceBytesPerStep));
  return piece;
}

// Lua 5.1's load_aux: the function, or nil and the message.
int load_result(lua_State* L, int status) {
  if (status == 0) return 1;
  lua_pushnil(L);
  lua_insert(L, -2);
  return 2;
}

int base_loadstring(lua_State* L) {
  size_t len = 0;
  const char* s = luaL_checklstring(L, 1, &len);
  const char* chunkname = luaL_optstring(L, 2, s);
  charge_steps(L, budget_upvalue(L), steps_for(static_cast<int64_t>(len), kSourceBytesPerStep));
  return load_result(L, load_text_chunk(L, s, len, chunkname));
}

int base_load(lua_State* L) {
  const char* chunkname = luaL_optstring(L, 2, "=(load)");
  luaL_checktype(L, 1, LUA_TFUNCTION);
  lua_settop(L, 3);  // the function, the name, a slot for the current piece
  FunctionSource src{budget_upvalue(L), false};
  return load_result(L, lua_load(L, read_from_function, &src, chunkname));
}

}  // namespace

int load_text_chunk(lua_State* L, const char* text, size_t len, const char* chunkname) {
  TextSource src{text, len, 0};
  return lua_load(L, read_text, &src, chunkname);
}

void open_bounded_string_functions(lua_State* L, ScriptBudget* budget) {
  set_closure(L, "rep", str_rep, budget);
}

void open_bounded_table_functions(lua_State* L, ScriptBudget* budget) {
  set_closure(L, "sort", table_sort, budget);
  set_closure(L, "insert", table_insert, budget);
  set_closure(L, "remove", table_remove, budget);
  set_closure(L, "concat", table_concat, budget);
  set_closure(L, "foreach", table_foreach, budget);
  set_closure(L, "foreachi", table_foreachi, budget);
  set_closure(L, "maxn", table_maxn, budget);
}

void open_bounded_base_functions(lua_State* L, ScriptBudget* budget) {
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  set_closure(L, "collectgarbage", base_collectgarbage, budget);
  set_closure(L, "loadstring", base_loadstring, budget);
  set_closure(L, "load", base_load, budget);
  lua_pop(L, 1);
}

}  // namespace lockcheck::model
