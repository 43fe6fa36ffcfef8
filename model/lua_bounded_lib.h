// The library functions the sandbox re-implements so that their work is
// charged to the script's step budget (model/lua_budget.h) and so that no
// path loads a binary chunk. Each behaves as Lua 5.1.5's own (same results,
// same error texts) unless its comment says otherwise.
//
// Why these: in stock Lua each runs a loop inside one C call that the
// instruction hook never sees, and the heap does not bound that loop:
// string.rep('', 2^31) repeats two billion times, table.insert(t, -2^31, v)
// moves two billion elements, table.sort's quicksort is quadratic on bad
// input, table.foreach calls a C function once per element, and
// collectgarbage('collect') walks the whole heap.
#ifndef LOCKCHECK_MODEL_LUA_BOUNDED_LIB_H_
#define LOCKCHECK_MODEL_LUA_BOUNDED_LIB_H_

#include <lua.hpp>

#include "model/lua_budget.h"

namespace lockcheck::model {

// collectgarbage's setstepmul is clamped to [1, kGcStepMulMax]: 0 would
// mean "a whole collection on every allocation step", larger values nearly
// that. (Redis takes any value; scripts have no reason to tune its GC.)
inline constexpr int kGcStepMulMax = 1000;

// Replaces rep in the string table on top of the stack.
void open_bounded_string_functions(lua_State* L, ScriptBudget* budget);

// Replaces sort, insert, remove, concat, foreach, foreachi and maxn in the
// table library table on top of the stack.
void open_bounded_table_functions(lua_State* L, ScriptBudget* budget);

// Replaces the globals collectgarbage, loadstring and load. loadstring and
// load compile text only: a chunk that starts with Lua's binary signature
// fails as Redis fails it ("unexpected symbol near 'char(27)'"), since
// Redis's Lua has no bytecode loader.
void open_bounded_base_functions(lua_State* L, ScriptBudget* budget);

// Compiles `text` as a Lua text chunk named `chunkname`, never as bytecode
// (see above), leaving the function or the error message on the stack.
// Returns lua_load's status.
int load_text_chunk(lua_State* L, const char* text, size_t len, const char* chunkname);

}  // namespace lockcheck::model

#endif  // LOCKCHECK_MODEL_LUA_BOUNDED_LIB_H_
