// Written for lockcheck to Lua 5.1.5's pattern semantics (the reference
// manual, section 5.4.1, and its error texts), checked side by side with
// stock Lua's string library in lua_bounded_lib_test.cc.
//
// Lua 5.1 quirks kept on purpose: a pattern ends at its first NUL byte
// (the plain search of string.find does not); gmatch treats '^' as a
// literal; a '%' at the end of a gsub replacement adds a NUL byte.
//
// Every function here may raise a Lua error (a longjmp): no C++ object
// with a destructor lives in these frames.
#include "model/lua_pattern.h"

#include <cctype>
#include <cstddef>
#include <cstring>

namespace lockcheck::model {
namespace {

constexpr char kEsc = '%';
constexpr const char* kSpecials = "^$*+?.([%-";
constexpr ptrdiff_t kCapUnfinished = -1;
constexpr ptrdiff_t kCapPosition = -2;
// A character-class byte costs this fraction of an operation: testing one
// subject character against `[abc...]` scans the class.
constexpr int64_t kClassBytesPerOp = 8;

struct Capture {
  const char* init;
  ptrdiff_t len;  // or kCapUnfinished / kCapPosition
};

struct MatchState {
  const char* src_init;
  const char* src_end;  // the subject's terminating NUL
  lua_State* L;
  WorkMeter meter;
  int level;  // captures, finished or not
  int depth;  // nested matcher calls
  Capture capture[LUA_MAXCAPTURES];
};

unsigned char uc(char c) { return static_cast<unsigned char>(c); }

void init_state(MatchState* ms, lua_State* L, ScriptBudget* budget, const char* s, size_t len) {
  ms->src_init = s;
  ms->src_end = s + len;
  ms->L = L;
  ms->meter = WorkMeter{L, budget};
  ms->level = 0;
  ms->depth = 0;
}

// What a class of `len` pattern bytes costs to test once.
int64_t class_ops(ptrdiff_t len) { return 1 + len / kClassBytesPerOp; }

int check_capture(MatchState* ms, int l) {
  l -= '1';
  if (l < 0 || l >= ms->level || ms->capture[l].len == kCapUnfinished) {
    return luaL_error(ms->L, "invalid capture index");
  }
  return l;
}

int capture_to_close(MatchState* ms) {
  for (int level = ms->level - 1; level >= 0; --level) {
    if (ms->capture[level].len == kCapUnfinished) return level;
  }
  return luaL_error(ms->L, "invalid pattern capture");
}

// The end of the single-character class that starts at p.
const char* class_end(MatchState* ms, const char* p) {
  const char* start = p;
  switch (*p++) {
    case kEsc:
      if (*p == '\0') luaL_error(ms->L, "malformed pattern (ends with '%%')");
      return p + 1;
    case '[':
      if (*p == '^') p++;
      do {  // up to the closing ']'; "%]" does not close
        if (*p == '\0') luaL_error(ms->L, "malformed pattern (missing ']')");
        if (*(p++) == kEsc && *p != '\0') p++;
      } while (*p != ']');
      ms->meter.add_ops(class_ops(p - start));
      return p + 1;
    default:
      return p;
  }
}

bool match_class(int c, int cl) {
  int res = 0;
  switch (std::tolower(cl)) {
    case 'a': res = std::isalpha(c); break;
    case 'c': res = std::iscntrl(c); break;
    case 'd': res = std::isdigit(c); break;
    case 'l': res = std::islower(c); break;
    case 'p': res = std::ispunct(c); break;
    case 's': res = std::isspace(c); break;
    case 'u': res = std::isupper(c); break;
    case 'w': res = std::isalnum(c); break;
    case 'x': res = std::isxdigit(c); break;
    case 'z': res = (c == 0); break;
    default: return cl == c;  // an escaped non-letter stands for itself
  }
  return std::islower(cl) ? res != 0 : res == 0;  // upper case: the complement
}

// p points at '[', ec at the closing ']'.
bool match_bracket_class(int c, const char* p, const char* ec) {
  bool found_means = true;
  if (*(p + 1) == '^') {
    found_means = false;
    p++;
  }
  while (++p < ec) {
    if (*p == kEsc) {
      p++;
      if (match_class(c, uc(*p))) return found_means;
    } else if (*(p + 1) == '-' && p + 2 < ec) {
      p += 2;
      if (uc(*(p - 2)) <= c && c <= uc(*p)) return found_means;
    } else if (uc(*p) == c) {
      return found_means;
    }
  }
  return !found_means;
}

bool single_match(MatchState* ms, int c, const char* p, const char* ep) {
  switch (*p) {
    case '.':
      ms->meter.add_ops(1);
      return true;
    case kEsc:
      ms->meter.add_ops(1);
      return match_class(c, uc(*(p + 1)));
    case '[':
      ms->meter.add_ops(class_ops(ep - p));
      return match_bracket_class(c, p, ep - 1);
    default:
      ms->meter.add_ops(1);
      return uc(*p) == c;
  }
}

const char* do_match(MatchState* ms, const char* s, const char* p);

// %bxy: s at an x, up to its balancing y.
const char* match_balance(MatchState* ms, const char* s, const char* p) {
  if (*p == '\0' || *(p + 1) == '\0') luaL_error(ms->L, "unbalanced pattern");
  if (*s != *p) return nullptr;
  const int open = *p;
  const int close = *(p + 1);
  int depth = 1;
  while (++s < ms->src_end) {
    ms->meter.add_ops(1);
    if (*s == close) {
      if (--depth == 0) return s + 1;
    } else if (*s == open) {
      depth++;
    }
  }
  return nullptr;  // the subject ends unbalanced
}

// The item p..ep repeated as often as it matches, then backing off.
const char* max_expand(MatchState* ms, const char* s, const char* p, const char* ep) {
  ptrdiff_t i = 0;
  while (s + i < ms->src_end && single_match(ms, uc(*(s + i)), p, ep)) i++;
  while (i >= 0) {
    const char* res = do_match(ms, s + i, ep + 1);
    if (res) return res;
    i--;
  }
  return nullptr;
}

// The item p..ep repeated as rarely as the rest allows.
const char* min_expand(MatchState* ms, const char* s, const char* p, const char* ep) {
  for (;;) {
    const char* res = do_match(ms, s, ep + 1);
    if (res) return res;
    if (s < ms->src_end && single_match(ms, uc(*s), p, ep)) {
      s++;
    } else {
      return nullptr;
    }
  }
}

const char* start_capture(MatchState* ms, const char* s, const char* p, ptrdiff_t what) {
  const int level = ms->level;
  if (level >= LUA_MAXCAPTURES) luaL_error(ms->L, "too many captures");
  ms->capture[level].init = s;
  ms->capture[level].len = what;
  ms->level = level + 1;
  const char* res = do_match(ms, s, p);
  if (res == nullptr) ms->level--;  // undo the capture
  return res;
}

const char* end_capture(MatchState* ms, const char* s, const char* p) {
  const int l = capture_to_close(ms);
  ms->capture[l].len = s - ms->capture[l].init;
  const char* res = do_match(ms, s, p);
  if (res == nullptr) ms->capture[l].len = kCapUnfinished;  // undo the close
  return res;
}

// %1..%9: the text of an earlier capture again.
const char* match_capture(MatchState* ms, const char* s, int l) {
  l = check_capture(ms, l);
  const auto len = static_cast<size_t>(ms->capture[l].len);  // a position capture: huge, fails
  const auto left = static_cast<size_t>(ms->src_end - s);
  if (left < len) return nullptr;
  ms->meter.add_bytes(static_cast<int64_t>(len));
  return std::memcmp(ms->capture[l].init, s, len) == 0 ? s + len : nullptr;
}

// Matches pattern p at subject position s: the end of the match, or null.
// Tail positions loop instead of recursing; the recursion that remains
// (quantifiers, captures) nests once per pattern item, which depth bounds.
const char* match_here(MatchState* ms, const char* s, const char* p) {
  for (;;) {
    ms->meter.add_ops(1);
    switch (*p) {
      case '(':
        if (*(p + 1) == ')') return start_capture(ms, s, p + 2, kCapPosition);
        return start_capture(ms, s, p + 1, kCapUnfinished);
      case ')':
        return end_capture(ms, s, p + 1);
      case '\0':
        return s;  // the whole pattern matched
      case '$':
        if (*(p + 1) == '\0') return s == ms->src_end ? s : nullptr;
        break;  // a '$' inside the pattern is an ordinary character
      case kEsc:
        if (*(p + 1) == 'b') {
          s = match_balance(ms, s, p + 2);
          if (s == nullptr) return nullptr;
          p += 4;
          continue;
        }
        if (*(p + 1) == 'f') {  // frontier: the set does not hold before s, holds at s
          p += 2;
          if (*p != '[') luaL_error(ms->L, "missing '[' after '%%f' in pattern");
          const char* ep = class_end(ms, p);
          const char previous = (s == ms->src_init) ? '\0' : *(s - 1);
          if (match_bracket_class(uc(previous), p, ep - 1) ||
              !match_bracket_class(uc(*s), p, ep - 1)) {
            return nullptr;
          }
          p = ep;
          continue;
        }
        if (std::isdigit(uc(*(p + 1)))) {
          s = match_capture(ms, s, uc(*(p + 1)));
          if (s == nullptr) return nullptr;
          p += 2;
          continue;
        }
        break;  // %a, %d, ...: a class item
      default:
        break;
    }
    // One single-character item, maybe followed by a quantifier.
    const char* ep = class_end(ms, p);
    const bool m = s < ms->src_end && single_match(ms, uc(*s), p, ep);
    switch (*ep) {
      case '?':
        if (m) {
          const char* res = do_match(ms, s + 1, ep + 1);
          if (res) return res;
        }
        p = ep + 1;
        continue;
      case '*':
        return max_expand(ms, s, p, ep);
      case '+':
        return m ? max_expand(ms, s + 1, p, ep) : nullptr;
      case '-':
        return min_expand(ms, s, p, ep);
      default:
        if (!m) return nullptr;
        s++;
        p = ep;
        continue;
    }
  }
}

const char* do_match(MatchState* ms, const char* s, const char* p) {
  if (++ms->depth > kPatternDepthMax) luaL_error(ms->L, "pattern too complex");
  const char* res = match_here(ms, s, p);
  ms->depth--;
  return res;
}

// string.find's plain search; every byte memchr and memcmp look at is charged.
const char* find_plain(MatchState* ms, const char* s1, size_t l1, const char* s2, size_t l2) {
  if (l2 == 0) return s1;  // the empty string is everywhere
  if (l2 > l1) return nullptr;
  l2--;                    // the first byte is memchr's
  l1 = l1 - l2;            // s2 cannot start after this
  while (l1 > 0) {
    const char* init = static_cast<const char*>(std::memchr(s1, *s2, l1));
    if (init == nullptr) {
      ms->meter.add_bytes(static_cast<int64_t>(l1));
      return nullptr;
    }
    init++;
    ms->meter.add_bytes((init - s1) + static_cast<int64_t>(l2));
    if (std::memcmp(init, s2 + 1, l2) == 0) return init - 1;
    l1 -= static_cast<size_t>(init - s1);
    s1 = init;
  }
  return nullptr;
}

void push_one_capture(MatchState* ms, int i, const char* s, const char* e) {
  if (i >= ms->level) {
    if (i != 0) luaL_error(ms->L, "invalid capture index");
    lua_pushlstring(ms->L, s, static_cast<size_t>(e - s));  // no captures: the whole match
    return;
  }
  const ptrdiff_t len = ms->capture[i].len;
  if (len == kCapUnfinished) luaL_error(ms->L, "unfinished capture");
  if (len == kCapPosition) {
    lua_pushinteger(ms->L, ms->capture[i].init - ms->src_init + 1);
  } else {
    ms->meter.add_bytes(len);
    lua_pushlstring(ms->L, ms->capture[i].init, static_cast<size_t>(len));
  }
}

int push_captures(MatchState* ms, const char* s, const char* e) {
  const int count = (ms->level == 0 && s) ? 1 : ms->level;
  luaL_checkstack(ms->L, count, "too many captures");
  for (int i = 0; i < count; ++i) push_one_capture(ms, i, s, e);
  return count;
}

// A relative string position: negative counts back from the end.
ptrdiff_t relative_position(ptrdiff_t pos, size_t len) {
  if (pos < 0) pos += static_cast<ptrdiff_t>(len) + 1;
  return pos >= 0 ? pos : 0;
}

int find_aux(lua_State* L, bool find) {
  size_t l1 = 0;
  size_t l2 = 0;
  const char* s = luaL_checklstring(L, 1, &l1);
  const char* p = luaL_checklstring(L, 2, &l2);
  ptrdiff_t init = relative_position(luaL_optinteger(L, 3, 1), l1) - 1;
  if (init < 0) {
    init = 0;
  } else if (static_cast<size_t>(init) > l1) {
    init = static_cast<ptrdiff_t>(l1);
  }
  MatchState ms;
  init_state(&ms, L, budget_upvalue(L), s, l1);
  if (find && (lua_toboolean(L, 4) || std::strpbrk(p, kSpecials) == nullptr)) {
    const char* found = find_plain(&ms, s + init, l1 - static_cast<size_t>(init), p, l2);
    if (found) {
      lua_pushinteger(L, found - s + 1);
      lua_pushinteger(L, found - s + static_cast<ptrdiff_t>(l2));
      return 2;
    }
  } else {
    const bool anchor = (*p == '^');
    if (anchor) p++;
    const char* s1 = s + init;
    do {
      ms.level = 0;
      const char* res = do_match(&ms, s1, p);
      if (res) {
        if (find) {
          lua_pushinteger(L, s1 - s + 1);  // start
          lua_pushinteger(L, res - s);     // end
          return push_captures(&ms, nullptr, nullptr) + 2;
        }
        return push_captures(&ms, s1, res);
      }
    } while (s1++ < ms.src_end && !anchor);
  }
  lua_pushnil(L);
  return 1;
}

int str_find(lua_State* L) { return find_aux(L, true); }
int str_match(lua_State* L) { return find_aux(L, false); }

// Upvalues: the budget, the subject, the pattern, the next start offset.
int gmatch_next(lua_State* L) {
  size_t len = 0;
  const char* s = lua_tolstring(L, lua_upvalueindex(2), &len);
  const char* p = lua_tostring(L, lua_upvalueindex(3));
  MatchState ms;
  init_state(&ms, L, budget_upvalue(L), s, len);
  for (const char* src = s + static_cast<size_t>(lua_tointeger(L, lua_upvalueindex(4)));
       src <= ms.src_end; src++) {
    ms.level = 0;
    const char* e = do_match(&ms, src, p);
    if (e) {
      lua_Integer next_start = e - s;
      if (e == src) next_start++;  // an empty match: move on at least one
      lua_pushinteger(L, next_start);
      lua_replace(L, lua_upvalueindex(4));
      return push_captures(&ms, src, e);
    }
  }
  return 0;
}

int str_gmatch(lua_State* L) {
  luaL_checkstring(L, 1);
  luaL_checkstring(L, 2);
  lua_settop(L, 2);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_pushinteger(L, 0);
  lua_pushcclosure(L, gmatch_next, 4);
  return 1;
}

// A string replacement: %0..%9 are captures, %x is x.
void add_replacement_string(MatchState* ms, luaL_Buffer* b, const char* s, const char* e) {
  size_t len = 0;
  const char* repl = lua_tolstring(ms->L, 3, &len);
  ms->meter.add_bytes(static_cast<int64_t>(len));
  for (size_t i = 0; i < len; ++i) {
    if (repl[i] != kEsc) {
      luaL_addchar(b, repl[i]);
      continue;
    }
    i++;  // the escaped byte (past the end: the string's NUL, as 5.1 does)
    if (!std::isdigit(uc(repl[i]))) {
      luaL_addchar(b, repl[i]);
    } else if (repl[i] == '0') {
      ms->meter.add_bytes(e - s);
      luaL_addlstring(b, s, static_cast<size_t>(e - s));
    } else {
      push_one_capture(ms, repl[i] - '1', s, e);
      luaL_addvalue(b);
    }
  }
}

void add_replacement(MatchState* ms, luaL_Buffer* b, const char* s, const char* e) {
  lua_State* L = ms->L;
  switch (lua_type(L, 3)) {
    case LUA_TNUMBER:
    case LUA_TSTRING:
      add_replacement_string(ms, b, s, e);
      return;
    case LUA_TFUNCTION: {
      lua_pushvalue(L, 3);
      const int n = push_captures(ms, s, e);
      lua_call(L, n, 1);
      break;
    }
    case LUA_TTABLE:
      push_one_capture(ms, 0, s, e);
      lua_gettable(L, 3);
      break;
  }
  if (!lua_toboolean(L, -1)) {  // nil or false: keep the original text
    lua_pop(L, 1);
    lua_pushlstring(L, s, static_cast<size_t>(e - s));
  } else if (!lua_isstring(L, -1)) {
    luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
  }
  luaL_addvalue(b);
}

int str_gsub(lua_State* L) {
  size_t src_len = 0;
  const char* src = luaL_checklstring(L, 1, &src_len);
  const char* p = luaL_checkstring(L, 2);
  const int repl_type = lua_type(L, 3);
  const int max_subs = luaL_optint(L, 4, static_cast<int>(src_len + 1));
  const bool anchor = (*p == '^');
  if (anchor) p++;
  luaL_argcheck(L,
                repl_type == LUA_TNUMBER || repl_type == LUA_TSTRING || repl_type == LUA_TFUNCTION ||
                    repl_type == LUA_TTABLE,
                3, "string/function/table expected");
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  MatchState ms;
  init_state(&ms, L, budget_upvalue(L), src, src_len);
  int n = 0;
  while (n < max_subs) {
    ms.level = 0;
    const char* e = do_match(&ms, src, p);
    if (e) {
      n++;
      add_replacement(&ms, &b, src, e);
    }
    if (e && e > src) {  // a non-empty match: go past it
      src = e;
    } else if (src < ms.src_end) {
      luaL_addchar(&b, *src++);
    } else {
      break;
    }
    if (anchor) break;
  }
  ms.meter.add_bytes(ms.src_end - src);
  luaL_addlstring(&b, src, static_cast<size_t>(ms.src_end - src));
  luaL_pushresult(&b);
  lua_pushinteger(L, n);
  return 2;
}

void set_closure(lua_State* L, const char* name, lua_CFunction fn, ScriptBudget* budget) {
  lua_pushlightuserdata(L, budget);
  lua_pushcclosure(L, fn, 1);
  lua_setfield(L, -2, name);
}

}  // namespace

void open_bounded_patterns(lua_State* L, ScriptBudget* budget) {
  lua_getfield(L, -1, "gfind");
  lua_getfield(L, -2, "gmatch");
  const bool gfind_is_gmatch = lua_rawequal(L, -1, -2) != 0;
  lua_pop(L, 2);
  set_closure(L, "find", str_find, budget);
  set_closure(L, "match", str_match, budget);
  set_closure(L, "gmatch", str_gmatch, budget);
  set_closure(L, "gsub", str_gsub, budget);
  if (gfind_is_gmatch) {
    lua_getfield(L, -1, "gmatch");
    lua_setfield(L, -2, "gfind");
  }
}

}  // namespace lockcheck::model
