// The sandbox's own string patterns and library functions
// (lua_pattern.cc, lua_bounded_lib.cc) against stock Lua 5.1's, side by
// side: the same Lua code runs in a plain lua_State with luaL_openlibs and
// as an EVAL on model::Node, and both must print the same results and the
// same error texts. Inputs are generated from a fixed seed.
#include <lua.hpp>

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "model/node.h"

namespace lockcheck::model {
namespace {

// Prints every value a call returns, or its error, as one line. pcall is
// Redis's in the sandbox, which differs only for {err=...} tables.
const char* kHarness = R"(
local function ser(v, depth)
  local t = type(v)
  if t == 'string' then return string.format('%q', v) end
  if t == 'number' then return string.format('%.17g', v) end
  if t == 'table' and depth < 3 then
    local parts = {}
    for i = 1, #v do parts[#parts + 1] = ser(v[i], depth + 1) end
    return '{' .. table.concat(parts, ',') .. '}'
  end
  if t == 'table' or t == 'function' then return t end
  return tostring(v)
end
local function pack(...) return {n = select('#', ...), ...} end
local r = pack(pcall(function()
)";
const char* kHarnessEnd = R"(
end))
local out = {}
for i = 1, r.n do out[#out + 1] = ser(r[i], 0) end
return table.concat(out, ' ')
)";

std::string wrap(const std::string& body) { return kHarness + body + kHarnessEnd; }

std::string run_stock(const std::string& body) {
  const std::string code = wrap(body);
  lua_State* L = luaL_newstate();
  luaL_openlibs(L);
  std::string out;
  if (luaL_loadbuffer(L, code.data(), code.size(), "@user_script") != 0 ||
      lua_pcall(L, 0, 1, 0) != 0) {
    out = std::string("failed: ") + lua_tostring(L, -1);
  } else {
    size_t n = 0;
    const char* p = lua_tolstring(L, -1, &n);
    out.assign(p, n);
  }
  lua_close(L);
  return out;
}

std::string run_model(const std::string& body) {
  Node node;  // fresh: no state from an earlier case
  const Reply r = node.execute({"EVAL", wrap(body), "0"}, NodeWallMs{}, nullptr);
  if (r.type == Reply::Type::kBulk) return r.str;
  return "failed: " + r.str;
}

// A Lua string literal for any bytes.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) out += "\\" + std::to_string(c);
  return out + "\"";
}

class SideBySide : public ::testing::Test {
 protected:
  void expect_same(const std::string& body) {
    const std::string stock = run_stock(body);
    const std::string model = run_model(body);
    EXPECT_EQ(model, stock) << "for: " << body;
    ++cases_;
  }
  std::mt19937 rng_{20240611};
  int cases_ = 0;

  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  template <typename T>
  const T& pick(const std::vector<T>& v) {
    return v[pick(v.size())];
  }
};

const std::vector<std::string> kPatternTokens = {
    "a", "b", "x", ".", "%a", "%d", "%s", "%w", "%p", "%z", "%A", "%D", "%.", "%%", "[ab]", "[^a]",
    "[a-c]", "[%a_]", "[%]]", "[]", "[^]", "(", ")", "()", "%1", "%2", "^", "$", "*", "+", "-", "?",
    "%b()", "%bab", "%f[%w]", "%f[^%w]", "%f", "%", "[", "]", std::string(1, '\0'), "-", "+", "*"};
const std::vector<std::string> kSubjectTokens = {"a", "b", "ab", "x", "(", ")", "()", "1", "23", " ",
                                                 "%", ".", "-", std::string(1, '\0'), "\n", "aaa"};

std::string join_random(SideBySide* t, const std::vector<std::string>& tokens, size_t max_tokens,
                        std::mt19937& rng) {
  std::string out;
  const size_t n = std::uniform_int_distribution<size_t>(0, max_tokens)(rng);
  for (size_t i = 0; i < n; ++i) out += tokens[std::uniform_int_distribution<size_t>(0, tokens.size() - 1)(rng)];
  (void)t;
  return out;
}

TEST_F(SideBySide, PatternFunctions) {
  const std::vector<std::string> kReplacements = {
      "'<%0>'", "'%1'", "'%2'", "'%%'", "'x%'", "'%a'", "function(c) return c .. '!' end",
      "function() return false end", "function() return {} end", "{a = 'A', b = true}", "7", "nil"};
  for (int i = 0; i < 3000; ++i) {
    const std::string s = quoted(join_random(this, kSubjectTokens, 8, rng_));
    const std::string p = quoted(join_random(this, kPatternTokens, 5, rng_));
    const std::string init = pick(std::vector<std::string>{"", ", 1", ", 3", ", -2", ", 0", ", 100"});
    switch (pick(5)) {
      case 0:
        expect_same("return string.find(" + s + ", " + p + init + ")");
        break;
      case 1:
        expect_same("return string.find(" + s + ", " + p + init + ", true)");
        break;
      case 2:
        expect_same("return string.match(" + s + ", " + p + init + ")");
        break;
      case 3:
        expect_same("local out = {} for a, b in string.gmatch(" + s + ", " + p +
                    ") do out[#out + 1] = {a, b} if #out > 20 then break end end return out");
        break;
      default:
        expect_same("return string.gsub(" + s + ", " + p + ", " + pick(kReplacements) +
                    pick(std::vector<std::string>{"", ", 1", ", 0", ", -1"}) + ")");
        break;
    }
  }
  // Fixed cases that random tokens rarely build.
  for (const char* body : {
           "return string.find('hello world', 'o w')",
           "return string.find('a.b', '.', 1, true)",
           "return string.match('key=value', '(%w+)=(%w+)')",
           "return string.match('  x', '()x()')",
           "return string.gsub('abc', '', '-')",
           "return string.gsub('hello world', '(o)', '%1%1%')",
           "return string.gsub('abc', '%w', '%2')",
           "return string.find('THE (quick) fox', '%((%a+)%)')",
           "return string.find('f(a(b)c)d', '%b()')",
           "return string.gsub('THE (quick) fox', '%f[%a]%a+', 'W')",
           "return string.match('x', '(()')",
           "return string.match('x', '%1')",
           "return string.rep('ab', 3, 'ignored')",
           "return string.find(string.rep('a', 12), string.rep('a?', 12) .. string.rep('a', 12))",
           "return string.gfind == string.gmatch",
           "return (string.gsub('abc', '.', {a = 1, b = true}))",
           "return string.gsub('abc', '.', function() return {} end)",
           "return string.find('abc', 'b', nil)",
           "return string.find('abc')",
           "return string.gsub('abc', 'b')",
           "return ('x'):find('x')",
           "return string.find(12345, 3)",
           "return string.gsub(123, 2, 9)",
       }) {
    expect_same(body);
  }
}

TEST_F(SideBySide, TableFunctions) {
  const std::vector<std::string> kComparators = {
      "", ", function(a, b) return a > b end", ", function(a, b) return a <= b end",
      ", function(a, b) return true end", ", function(a, b) return false end", ", 3"};
  for (int i = 0; i < 1500; ++i) {
    std::string array = "{";
    const size_t n = pick(12);
    const bool strings = pick(3) == 0;
    for (size_t k = 0; k < n; ++k) {
      const size_t v = pick(10);
      array += (k ? ", " : "") + (strings ? "'" + std::string(1, static_cast<char>('a' + v)) + "'"
                                          : std::to_string(v));
    }
    if (pick(8) == 0) array += n > 0 ? ", 'mixed'" : "'mixed'";
    array += "}";
    const std::string pos = pick(std::vector<std::string>{"1", "2", "0", "-1", "5", "14", "nil"});
    switch (pick(7)) {
      case 0:
        expect_same("local t = " + array + " table.sort(t" + pick(kComparators) + ") return t");
        break;
      case 1:
        expect_same("local t = " + array + " table.insert(t, " + pos + ", 'v') return t");
        break;
      case 2:
        expect_same("local t = " + array + " return table.remove(t" +
                    pick(std::vector<std::string>{"", ", " + pos}) + "), t");
        break;
      case 3:
        expect_same("local t = " + array + " return table.concat(t" +
                    pick(std::vector<std::string>{"", ", '-'", ", ', ', 2", ", '', 2, 4", ", 'x', 3, 2",
                                                  ", nil, 1, 20"}) +
                    ")");
        break;
      case 4:
        expect_same("local t = " + array +
                    " local out = {} table.foreachi(t, function(i, v) out[#out + 1] = i if i == 5 then "
                    "return v end end) return out");
        break;
      case 5:
        expect_same("local t = " + array + " t[20] = 1 t.x = 2 t[2.5] = 3 return table.maxn(t)");
        break;
      default:
        expect_same("local t = " + array + " local n = 0 table.foreach(t, function(k, v) n = n + 1 end) " +
                    "return n, table.foreach({1}, function(k, v) return v end)");
        break;
    }
  }
  for (const char* body : {
           "table.insert({}) return 1",
           "table.insert({}, 1, 2, 3) return 1",
           "return table.insert(nil, 1)",
           "local t = {1, 2} table.insert(t, 'x', 3) return t",
           "return table.concat({1, {}, 3})",
           "return table.concat({}, 1, 1, 1)",
           "return table.sort({3, 'a', 1})",
           "return table.sort({{}, {}})",
           "return table.maxn(1)",
           "return table.foreach({}, 1)",
           "return table.foreachi({1, 2}, nil)",
       }) {
    expect_same(body);
  }
}

TEST_F(SideBySide, BaseFunctions) {
  for (const char* body : {
           "return string.rep('ab', 3)",
           "return string.rep('ab', 0), string.rep('ab', -1), string.rep('', 5)",
           "return string.rep('x')",
           "return string.rep()",
           "return loadstring('return 1 + 1')()",
           "return loadstring('return (')",
           "return loadstring('return (', 'chunky')",
           "return loadstring('return (', '=chunky')",
           "return loadstring('error(\"x\")')",
           "return pcall(loadstring('error(\"x\")'))",
           "return loadstring()",
           "local p = {'return ', '1', ' + 2'} local i = 0 return load(function() i = i + 1 return p[i] end)()",
           "return load(function() return {} end)",
           "return load(function() error('reader') end)",
           "return load(function() return nil end)",
           "return load('x')",
           "return collectgarbage('bogus')",
           "return collectgarbage('collect')",
           "return collectgarbage()",
           "return collectgarbage('setpause', 150), collectgarbage('setpause', 200)",
           "return collectgarbage('setstepmul', 300), collectgarbage('setstepmul', 200)",
           "return type(collectgarbage('count'))",
           "return rawset({}, 1, 2)[1]",
           "return rawset(1, 2, 3)",
           "return rawset({}, 1)",
           "return rawget({5}, 1)",
           "return rawget(1, 1)",
           "return rawget({})",
           "return setmetatable({}, 1)",
           "return setmetatable(1, {})",
           "return setmetatable(setmetatable({}, {__metatable = 1}), {})",
           "return getmetatable(setmetatable({}, {__metatable = 'x'}))",
           "return getmetatable(setmetatable({}, {}))",
           "return getmetatable(1)",
           "return getmetatable()",
           "return getmetatable('').__index == string",
       }) {
    expect_same(body);
  }
}

}  // namespace
}  // namespace lockcheck::model
