// Hostile scripts (issue 14): each one used to hang, abort or escape the
// sandbox of model::Node; each must now end at once with a clear error, or
// be refused with Redis's own reply (texts from redis-server 7.0.15).
#include <lua.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "model/node.h"
#include "model/test_support.h"

namespace lockcheck::model {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;
constexpr const char* kStepLimit = "ERR Script exceeded the step limit of";

NodeWallMs at(int64_t ms) { return NodeWallMs(std::chrono::milliseconds(ms)); }

Reply num(int64_t v) { return Reply::integer_reply(v); }
Reply bulk(std::string s) { return Reply::bulk(std::move(s)); }
Reply err(std::string s) { return Reply::error(std::move(s)); }

class HostileScriptTest : public ::testing::Test {
 protected:
  Reply eval(const std::string& script, Node* node = nullptr) {
    return (node ? *node : node_).execute({"EVAL", script, "0"}, at(kT0), nullptr);
  }
  // Runs `script` and returns its reply and how long it took.
  Reply timed_eval(const std::string& script, double* seconds, Node* node = nullptr) {
    const auto t0 = std::chrono::steady_clock::now();
    Reply r = eval(script, node);
    *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r;
  }
  static bool starts_with(const Reply& r, const std::string& prefix) {
    return r.type == Reply::Type::kError && r.str.rfind(prefix, 0) == 0;
  }

  Node node_;
};

// ---- the step budget covers work the VM does not count -------------------

// The reproducer: ten minutes of CPU in string.find, unseen by the
// instruction hook.
TEST_F(HostileScriptTest, PatternMatchingIsCharged) {
  double secs = 0;
  const Reply r = timed_eval(
      "local s = string.rep('a', 1e7) for i = 1, 10 do local x = s:find('.-b') end return 1", &secs);
  EXPECT_TRUE(starts_with(r, kStepLimit)) << r.str;
  EXPECT_LT(secs, 5.0);
  // The same on a subject small enough for stock Lua to finish (in about a
  // second): the answer is the error, not the 1 stock Lua returns.
  EXPECT_TRUE(starts_with(
      eval("local s = string.rep('a', 3e4) for i = 1, 3 do local x = s:find('.-b') end return 1"),
      kStepLimit));
  // Exponential backtracking (2^40 tries in stock Lua).
  EXPECT_TRUE(starts_with(
      eval("return string.find(string.rep('a', 40), string.rep('a?', 40) .. string.rep('a', 40))"),
      kStepLimit));
  // Ordinary matching is unaffected.
  EXPECT_EQ(eval("return {string.find('hello world', 'o w')}"), Reply::array({num(5), num(7)}));
  EXPECT_EQ(eval("return (string.gsub('a-b-c', '-', '+'))"), bulk("a+b+c"));
}

// Lua 5.1's matcher recurses once per quantified item on the C stack: a
// long enough pattern overflows it (a crash, on Redis too).
TEST_F(HostileScriptTest, DeepPatternsAreRefused) {
  const Reply r = eval("return string.find(string.rep('a', 1e5), string.rep('a?', 1e5))");
  EXPECT_NE(r.str.find("pattern too complex"), std::string::npos) << r.str;
  EXPECT_EQ(eval("return string.find('aaa', string.rep('a?', 150))"), num(1));
}

TEST_F(HostileScriptTest, LibraryLoopsAreCharged) {
  double secs = 0;
  // Two billion repetitions of nothing: no heap, no instructions.
  EXPECT_TRUE(starts_with(timed_eval("return #string.rep('', 2^31 - 1)", &secs), kStepLimit));
  EXPECT_LT(secs, 1.0);
  // table.insert below index 1 moves every element in between.
  EXPECT_TRUE(starts_with(eval("table.insert({}, -2^31 + 2, 1) return 1"), kStepLimit));
  // A C function called once per element, and sorts: without their
  // charges each of these loops is a few hundred thousand instructions.
  EXPECT_TRUE(starts_with(
      eval("local t = {} for i = 1, 200 do t[i] = i end "
           "for k = 1, 1e5 do table.foreachi(t, rawequal) end return 1"),
      kStepLimit));
  EXPECT_TRUE(starts_with(
      eval("local t = {} for i = 1, 200 do t[i] = -i end "
           "for k = 1, 1e5 do table.sort(t) end return 1"),
      kStepLimit));
  // A reader that never ends the chunk (stock Lua reads until memory runs out).
  EXPECT_TRUE(starts_with(eval("return load(function() return 1 end)"), kStepLimit));
  // collectgarbage('collect') walks the whole heap every time.
  EXPECT_TRUE(starts_with(eval("for k = 1, 1e5 do collectgarbage() end return 1"), kStepLimit));
}

// One VM instruction copies or compares whole strings: concatenating a
// 10 MB string 200 times is 200 instructions and 4 GB of memory traffic.
TEST_F(HostileScriptTest, BigStringInstructionsAreCharged) {
  double secs = 0;
  const Reply r = timed_eval(
      "local s = string.rep('x', 1e7) for i = 1, 200 do local t = s .. 'y' end return 1", &secs);
  EXPECT_TRUE(starts_with(r, kStepLimit)) << r.str;
  EXPECT_LT(secs, 2.0);
  EXPECT_TRUE(starts_with(
      eval("local s = string.rep('x', 1e7) local t = s .. '' for i = 1, 1e6 do local b = s < t end"),
      kStepLimit));
}

// ---- the heap cap covers every allocation ---------------------------------

TEST_F(HostileScriptTest, CompilationIsUnderTheHeapCap) {
  // A 70 MB string constant: the compiler allocates it before the script
  // runs (stock Lua here compiled it outside the cap).
  const std::string body = "if false then return '" + std::string(70 * 1024 * 1024, 'x') + "' end return 1";
  const Reply r = eval(body);
  ASSERT_EQ(r.type, Reply::Type::kError) << r.str.substr(0, 200);
  EXPECT_EQ(r.str, "ERR Error compiling script (new function): not enough memory");
  EXPECT_EQ(eval("return 1"), num(1));
}

// ---- replies ---------------------------------------------------------------

// 200 references to one 16 MB string: 3.2 GB to convert and as much to
// encode (std::bad_alloc before). Refused without building it.
TEST_F(HostileScriptTest, AmplifiedRepliesAreRefused) {
  Node node(NodeLimits{.lua_steps_max = 100'000'000});
  double secs = 0;
  const Reply r = timed_eval(
      "local s = string.rep('x', 16 * 1024 * 1024) local t = {} for i = 1, 200 do t[i] = s end return t",
      &secs, &node);
  EXPECT_EQ(r, err(kErrReplyTooLarge));
  EXPECT_LT(secs, 2.0);
  // So are replies of too many elements; within the bounds all is well.
  Node small(NodeLimits{.reply_elements_max = 1000});
  EXPECT_EQ(eval("local t = {} for i = 1, 1000 do t[i] = 1 end return t", &small), err(kErrReplyTooLarge));
  const Reply fits = eval("local t = {} for i = 1, 999 do t[i] = 'x' end return t", &small);
  ASSERT_EQ(fits.type, Reply::Type::kArray);
  EXPECT_EQ(fits.elements.size(), 999u);
}

TEST_F(HostileScriptTest, ExecRepliesAreBounded) {
  Node node(NodeLimits{.reply_bytes_max = 1024 * 1024});
  node.execute({"SET", "k", std::string(100 * 1024, 'v')}, at(kT0), nullptr);
  node.execute({"MULTI"}, at(kT0), nullptr);
  for (int i = 0; i < 20; ++i) node.execute({"GET", "k"}, at(kT0), nullptr);
  node.execute({"INCR", "n"}, at(kT0), nullptr);
  EXPECT_EQ(node.execute({"EXEC"}, at(kT0), nullptr), err(kErrReplyTooLarge));
  // Every queued command ran, as on Redis.
  EXPECT_EQ(node.execute({"GET", "n"}, at(kT0), nullptr), bulk("1"));
  // A single reply over the bound is refused too.
  node.execute({"SET", "big", std::string(2 * 1024 * 1024, 'v')}, at(kT0), nullptr);
  EXPECT_EQ(node.execute({"GET", "big"}, at(kT0), nullptr), err(kErrReplyTooLarge));
}

// A few bytes of script can store far more than they send: maxmemory in
// bytes refuses the writes once the node is full, as Redis's OOM does.
TEST_F(HostileScriptTest, ScriptsCannotFillTheNodeBeyondItsDataBound) {
  Node node(NodeLimits{.lua_steps_max = 100'000'000, .data_bytes_max = 64 * 1024 * 1024});
  const Reply r = eval(
      "local s = string.rep('x', 8 * 1024 * 1024) "
      "for i = 1, 100 do redis.call('set', 'k' .. i, s) end return 1", &node);
  EXPECT_EQ(r.str.rfind("OOM command not allowed when used memory > 'maxmemory'.", 0), 0u) << r.str;
  // The eighth write found the node full: 8 keys of 8 MB stored.
  EXPECT_EQ(node.key_count(at(kT0)), 8u);
  EXPECT_EQ(node.execute({"DEL", "k1", "k2"}, at(kT0), nullptr), num(2));
  EXPECT_EQ(node.execute({"SET", "k", "v"}, at(kT0), nullptr), Reply::status("OK"));
  // Hash fields count as they come and go.
  EXPECT_EQ(node.execute({"HSET", "h", "f", std::string(20 * 1024 * 1024, 'v')}, at(kT0), nullptr), num(1));
  EXPECT_EQ(node.execute({"SET", "k2", "v"}, at(kT0), nullptr).type, Reply::Type::kError);
  EXPECT_EQ(node.execute({"HDEL", "h", "f"}, at(kT0), nullptr), num(1));
  EXPECT_EQ(node.execute({"SET", "k2", "v"}, at(kT0), nullptr), Reply::status("OK"));
}

// ---- the sandbox, as strong as Redis 7.0's ---------------------------------

TEST_F(HostileScriptTest, StringMetatableIsReadOnly) {
  EXPECT_EQ(eval("getmetatable('').__index.upper = function() return 'pwned' end return 1"),
            err("ERR user_script:1: Attempt to modify a readonly table script: "
                "4e294e5a06da4e5fe62339b4374956faaad65cc0, on @user_script:1."));
  EXPECT_EQ(eval("return ('a'):upper()"), bulk("A"));
  EXPECT_EQ(eval("local mt = getmetatable('') mt.__index = {} return 1"),
            err("ERR user_script:1: Attempt to modify a readonly table script: "
                "d80bd7f1539b3be49b922de0f9fdd61d5504cdef, on @user_script:1."));
  EXPECT_EQ(eval("setmetatable(getmetatable(''), {}) return 1"),
            err("ERR Attempt to modify a readonly table script: "
                "3a5fd6d398c3ccb169da079b30fcef86b616ca80, on @user_script:1."));
  EXPECT_EQ(eval("return ('b'):rep(3)"), bulk("bbb"));
  // What getmetatable shows, as on Redis.
  EXPECT_EQ(eval("return getmetatable('') == getmetatable('')"), num(1));
  EXPECT_EQ(eval("return rawget(getmetatable(''), '__index') == string"), num(1));
  EXPECT_EQ(eval("return type(getmetatable(getmetatable('')))"), bulk("nil"));
  EXPECT_EQ(eval("return type(getmetatable(string))"), bulk("nil"));
  EXPECT_EQ(eval("return type(getmetatable(_G))"), bulk("table"));
  EXPECT_EQ(eval("local m = getmetatable(_G) m.x = 1 return 1"),
            err("ERR user_script:1: Attempt to modify a readonly table script: "
                "02f0c618393088195d80968374b19b30e45012ad, on @user_script:1."));
}

TEST_F(HostileScriptTest, NoBinaryChunkLoadsByAnyPath) {
  EXPECT_EQ(eval("return loadstring(string.dump(function() return 1 end))()"),
            err("ERR user_script:1: attempt to call a nil value script: "
                "5dcb142d767eb350dbcc8f0ae66433b0e227f5a2, on @user_script:1."));
  EXPECT_EQ(eval("local f, e = loadstring(string.dump(function() return 1 end)) return e"),
            bulk("[string \"\x1bLuaQ\"]:1: unexpected symbol near 'char(27)'"));
  EXPECT_EQ(eval("local f, e = loadstring(string.dump(function() return 1 end), '=name') return e"),
            bulk("name:1: unexpected symbol near 'char(27)'"));
  EXPECT_EQ(eval("local s = string.dump(function() return 1 end) local i = 0 "
                 "local f, e = load(function() i = i + 1 if i == 1 then return s end end) return e"),
            bulk("(load):1: unexpected symbol near 'char(27)'"));
  // Text still loads.
  EXPECT_EQ(eval("return loadstring('return 7')()"), num(7));
  EXPECT_EQ(eval("local p = {'return ', '8'} local i = 0 "
                 "return load(function() i = i + 1 return p[i] end)()"),
            num(8));
}

// Redis closed bytecode as an EVAL body long ago (CVE-2015-4335); crafted
// bytecode hung the model's node.
TEST_F(HostileScriptTest, BytecodeBodyIsRefused) {
  lua_State* L = luaL_newstate();
  ASSERT_TRUE(luaL_loadstring(L, "return 1") == 0);
  std::string dumped;
  lua_dump(
      L,
      [](lua_State*, const void* p, size_t n, void* ud) {
        static_cast<std::string*>(ud)->append(static_cast<const char*>(p), n);
        return 0;
      },
      &dumped);
  lua_close(L);
  ASSERT_EQ(dumped[0], '\x1b');
  const Reply bytecode_error =
      err("ERR Error compiling script (new function): user_script:1: unexpected symbol near 'char(27)'");
  EXPECT_EQ(eval(dumped), bytecode_error);
  EXPECT_EQ(node_.execute({"SCRIPT", "LOAD", dumped}, at(kT0), nullptr), bytecode_error);
  EXPECT_EQ(eval("\x1b"), bytecode_error);
  EXPECT_EQ(eval("#!lua\n\x1bLua"),
            err("ERR Error compiling script (new function): user_script:2: unexpected symbol near "
                "'char(27)'"));
  // A crafted header claiming a huge function: refused before any of it is read.
  std::string crafted = dumped.substr(0, 12) + std::string(300, '\xff');
  EXPECT_EQ(eval(crafted), bytecode_error);
}

// A script cannot leave the collector stopped or retuned for the next one.
TEST_F(HostileScriptTest, CollectorSettingsDoNotOutliveTheScript) {
  Node node(NodeLimits{.lua_steps_max = 1'000'000'000});
  EXPECT_EQ(eval("collectgarbage('stop') collectgarbage('setpause', 100) return 1", &node), num(1));
  // 100 MB of garbage: more than the heap cap unless the collector runs.
  EXPECT_EQ(eval("for i = 1, 1e5 do local s = string.rep('x', 1000) .. i end return 1", &node), num(1));
  EXPECT_EQ(eval("return collectgarbage('setpause', 150)", &node), num(200));
  // setstepmul 0 would mean a whole collection per step: clamped to 1.
  EXPECT_EQ(eval("collectgarbage('setstepmul', 0) return collectgarbage('setstepmul', 200)", &node),
            num(1));
}

}  // namespace
}  // namespace lockcheck::model
