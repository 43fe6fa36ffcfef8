// Scripting on model::Node: the strategies' lock scripts, Redis<->Lua
// conversions, error texts (checked against redis-server 7.0.15), sandbox,
// step limit, script cache and mutations made from scripts.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "model/node.h"
#include "model/sha1.h"
#include "model/test_support.h"

namespace lockcheck::model {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;

NodeWallMs at(int64_t ms) { return NodeWallMs(std::chrono::milliseconds(ms)); }

// The exact texts the strategies send.
const char* kReleaseScript =
    "if redis.call('get', KEYS[1]) == ARGV[1] then\n"
    "  return redis.call('del', KEYS[1])\n"
    "else\n"
    "  return 0\n"
    "end\n";
const char* kExtendScript =
    "if redis.call('get', KEYS[1]) == ARGV[1] then\n"
    "  return redis.call('pexpire', KEYS[1], ARGV[2])\n"
    "else\n"
    "  return 0\n"
    "end\n";

class LuaTest : public ::testing::Test {
 protected:
  Reply run(std::vector<std::string> argv, int64_t now_ms = kT0) {
    return node_.execute(argv, at(now_ms), &mutations_);
  }
  Reply eval(const std::string& script, std::vector<std::string> rest = {"0"}) {
    std::vector<std::string> argv = {"EVAL", script};
    argv.insert(argv.end(), rest.begin(), rest.end());
    return run(argv);
  }

  Node node_;
  std::vector<Mutation> mutations_;
};

Reply num(int64_t v) { return Reply::integer_reply(v); }
Reply bulk(std::string s) { return Reply::bulk(std::move(s)); }
Reply err(std::string s) { return Reply::error(std::move(s)); }

TEST_F(LuaTest, ReleaseScriptDeletesOnlyOwnLock) {
  run({"SET", "lock", "token-a", "PX", "10000"});
  EXPECT_EQ(eval(kReleaseScript, {"1", "lock", "token-b"}), num(0));
  EXPECT_EQ(run({"GET", "lock"}), bulk("token-a"));
  EXPECT_EQ(eval(kReleaseScript, {"1", "lock", "token-a"}), num(1));
  EXPECT_EQ(run({"EXISTS", "lock"}), num(0));
  EXPECT_EQ(eval(kReleaseScript, {"1", "lock", "token-a"}), num(0));
}

TEST_F(LuaTest, ExtendScriptResetsTtlOnlyForOwner) {
  run({"SET", "lock", "token-a", "PX", "1000"});
  EXPECT_EQ(eval(kExtendScript, {"1", "lock", "token-b", "5000"}), num(0));
  EXPECT_EQ(run({"PTTL", "lock"}), num(1000));
  EXPECT_EQ(eval(kExtendScript, {"1", "lock", "token-a", "5000"}), num(1));
  EXPECT_EQ(run({"PTTL", "lock"}), num(5000));
  // Once the lock has expired by the node's clock, extension fails.
  EXPECT_EQ(run({"EVAL", kExtendScript, "1", "lock", "token-a", "5000"}, kT0 + 5000), num(0));
}

TEST_F(LuaTest, ScriptMutationsAreRecordedInOrder) {
  run({"SET", "lock", "t", "PX", "1000"});
  mutations_.clear();
  eval(kExtendScript, {"1", "lock", "t", "3000"});
  eval(kReleaseScript, {"1", "lock", "t"});
  ASSERT_EQ(mutations_.size(), 2u);
  EXPECT_EQ(mutations_[0].before, "t");
  EXPECT_EQ(mutations_[0].after, "t");
  EXPECT_EQ(mutations_[0].after_expire_unix_ms, kT0 + 3000);
  EXPECT_EQ(mutations_[1].after, std::nullopt);
  // A failed script records nothing.
  mutations_.clear();
  eval(kReleaseScript, {"1", "lock", "t"});
  EXPECT_TRUE(mutations_.empty());
}

TEST_F(LuaTest, LuaToRedisConversions) {
  EXPECT_EQ(eval("return 3.99"), num(3));
  EXPECT_EQ(eval("return -0.5"), num(0));
  EXPECT_EQ(eval("return 0/0"), num(INT64_MIN));
  EXPECT_EQ(eval("return 'x'"), bulk("x"));
  EXPECT_EQ(eval("return true"), num(1));
  EXPECT_EQ(eval("return false"), Reply::nil());
  EXPECT_EQ(eval("return nil"), Reply::nil());
  EXPECT_EQ(eval("return {1, 2, 3.7, 'a', nil, 5}"),
            Reply::array({num(1), num(2), num(3), bulk("a")}));
  EXPECT_EQ(eval("return {1, {true, false}, -3.9}"),
            Reply::array({num(1), Reply::array({num(1), Reply::nil()}), num(-3)}));
  EXPECT_EQ(eval("return {ok='FINE'}"), Reply::status("FINE"));
  EXPECT_EQ(eval("return {err='MY thing'}"), err("MY thing"));
  EXPECT_EQ(eval("return {err=3}"), Reply::array({}));  // non-string err: an array
  EXPECT_EQ(eval("return redis.status_reply('FOO')"), Reply::status("FOO"));
  EXPECT_EQ(eval("return redis.error_reply('myerr')"), err("ERR myerr"));
  EXPECT_EQ(eval("return redis.error_reply('MY err')"), err("MY err"));
  EXPECT_EQ(eval("return redis.error_reply(5)"), err("ERR wrong number or type of arguments"));
  EXPECT_EQ(eval("local t = {} t[1] = t return t").type, Reply::Type::kError);  // no crash
}

TEST_F(LuaTest, RedisToLuaConversions) {
  run({"SET", "s", "v"});
  run({"HSET", "h", "f", "v"});
  EXPECT_EQ(eval("return type(redis.call('get', 'nokey'))"), bulk("boolean"));
  EXPECT_EQ(eval("return {redis.call('get','nokey'), 5}"), Reply::array({Reply::nil(), num(5)}));
  EXPECT_EQ(eval("return redis.call('set', 's', 'w')['ok']"), bulk("OK"));
  EXPECT_EQ(eval("return type(redis.call('exists', 's'))"), bulk("number"));
  EXPECT_EQ(eval("return redis.call('hgetall', 'h')"), Reply::array({bulk("f"), bulk("v")}));
  EXPECT_EQ(eval("return redis.call('PING')"), Reply::status("PONG"));
  // Numbers passed to redis.call keep 17 significant digits, like Redis.
  eval("redis.call('set', 'x', 0.1) redis.call('set', 'y', 1e20) redis.call('set', 'z', 3)");
  EXPECT_EQ(run({"GET", "x"}), bulk("0.10000000000000001"));
  EXPECT_EQ(run({"GET", "y"}), bulk("1e+20"));
  EXPECT_EQ(run({"GET", "z"}), bulk("3"));
}

TEST_F(LuaTest, KeysAndArgv) {
  EXPECT_EQ(eval("return #KEYS .. ' ' .. #ARGV", {"1", "a", "b", "c"}), bulk("1 2"));
  EXPECT_EQ(eval("return {KEYS[1], ARGV[2]}", {"1", "k", "x", "y"}),
            Reply::array({bulk("k"), bulk("y")}));
  EXPECT_EQ(eval("return 1", {"0", "extra"}), num(1));
  EXPECT_EQ(eval("return 1", {"2", "a"}),
            err("ERR Number of keys can't be greater than number of args"));
  EXPECT_EQ(eval("return 1", {"-1"}), err("ERR Number of keys can't be negative"));
  EXPECT_EQ(eval("return 1", {"x"}), err("ERR value is not an integer or out of range"));
}

// Error texts verified against redis-server 7.0.15. The sha is the script's.
TEST_F(LuaTest, CallRaisesWithScriptLocation) {
  run({"HSET", "h", "f", "v"});
  EXPECT_EQ(eval("return redis.call('incr','h')"),
            err("WRONGTYPE Operation against a key holding the wrong kind of value script: "
                "63286781b22af07f5eb276331accee8c416980db, on @user_script:1."));
  EXPECT_EQ(eval("return redis.call('get')"),
            err("ERR Wrong number of args calling Redis command from script script: "
                "f187dee77f607f7cff00bbabc9df38507582c78d, on @user_script:1."));
  EXPECT_EQ(eval("return redis.call('nosuch')"),
            err("ERR Unknown Redis command called from script script: "
                "206396248e12c6e742fd7296250433c8d7343b74, on @user_script:1."));
  EXPECT_EQ(eval("return redis.call('set','k','v','ex','-5')"),
            err("ERR invalid expire time in 'set' command script: "
                "ca01f53ff5a069d5a3f7b1456639ce3e6aab0e6a, on @user_script:1."));
  EXPECT_EQ(eval("return redis.call('eval','return 1','0')"),
            err("ERR This Redis command is not allowed from script script: "
                "1e5046f3a9119d3dc9cf5824428b6d9fedd305d2, on @user_script:1."));
  EXPECT_EQ(eval("return redis.call()"),
            err("ERR Please specify at least one argument for this redis lib call script: "
                "0a907e1429221a4d85516cab7fd219a82a9439d8, on @user_script:1."));
  EXPECT_EQ(eval("return redis.call({})"),
            err("ERR Lua redis lib command arguments must be strings or integers script: "
                "80747816df1f4411f7c442b928fce6a814214839, on @user_script:1."));
}

TEST_F(LuaTest, PcallReturnsTheErrorTable) {
  run({"HSET", "h", "f", "v"});
  EXPECT_EQ(eval("return redis.pcall('incr','h')"),
            err("WRONGTYPE Operation against a key holding the wrong kind of value"));
  EXPECT_EQ(eval("local r = redis.pcall('incr','h'); return r['err']"),
            bulk("WRONGTYPE Operation against a key holding the wrong kind of value"));
  EXPECT_EQ(eval("local r = redis.pcall('nosuch'); return r['err']"),
            bulk("ERR Unknown Redis command called from script"));
  EXPECT_EQ(eval("return redis.pcall()"),
            err("ERR Please specify at least one argument for this redis lib call"));
  EXPECT_EQ(eval("local ok, e = pcall(error, {err='Z'}) return e"), bulk("Z"));
  // The script goes on after a pcall error.
  EXPECT_EQ(eval("redis.pcall('incr','h') return 7"), num(7));
  // Redis 7's pcall turns the raised {err=...} into its message string.
  EXPECT_EQ(eval("local ok, e = pcall(redis.call, 'incr', 'h') return {tostring(ok), e}"),
            Reply::array({bulk("false"),
                          bulk("WRONGTYPE Operation against a key holding the wrong kind of value")}));
}

TEST_F(LuaTest, RuntimeAndCompileErrors) {
  EXPECT_EQ(eval("error('boom')"),
            err("ERR user_script:1: boom script: 82903a0434f1503e152f89c03c9acd881a0e8150, on "
                "@user_script:1."));
  EXPECT_EQ(eval("local a = nil + 1"),
            err("ERR user_script:1: attempt to perform arithmetic on a nil value script: "
                "b077f1b8df8640265d919efadd6350982031d6bf, on @user_script:1."));
  EXPECT_EQ(eval("error({err='MY x'})"),
            err("MY x script: 892d3143709ed90870061a291d50ce1f009cd7bf, on @user_script:1."));
  EXPECT_EQ(eval("error()"),
            err("ERR nil script: aca90d914519fdb9825352bdc0befb59f7c8510f, on @user_script:1."));
  EXPECT_EQ(eval("return syntax("),
            err("ERR Error compiling script (new function): user_script:1: unexpected symbol "
                "near '<eof>'"));
  EXPECT_EQ(eval("local x = 1\nlocal y = 2\nerror('third')").str.substr(0, 25),
            "ERR user_script:3: third ");
}

TEST_F(LuaTest, SandboxRefusesGlobalWrites) {
  EXPECT_EQ(eval("x = 1"),
            err("ERR user_script:1: Attempt to modify a readonly table script: "
                "34bce5f775de97f557a34088509c8bfe1ea17e52, on @user_script:1."));
  EXPECT_EQ(eval("rawset(_G,'x',1) return x"),
            err("ERR Attempt to modify a readonly table script: "
                "eae11c0375163fe1c4ff4d972df572fe0a10d22b, on @user_script:1."));
  EXPECT_EQ(eval("string.x = 1"),
            err("ERR user_script:1: Attempt to modify a readonly table script: "
                "c3eb0a2a15b3d4790b323c4104029c1ae425a769, on @user_script:1."));
  EXPECT_EQ(eval("setmetatable(_G, {})"),
            err("ERR Attempt to modify a readonly table script: "
                "0bf0a51fbb051c942113de0105d3f8e18cdcddb5, on @user_script:1."));
  EXPECT_EQ(eval("return getmetatable(_G)"), Reply::array({}));
  EXPECT_EQ(eval("return rawget(_G, 'redis') ~= nil"), num(1));
  EXPECT_EQ(eval("local t = {} t.a = 1 return t.a"), num(1));  // locals are fine
  EXPECT_EQ(eval("return string.upper('abc') .. ('x'):rep(2)"), bulk("ABCxx"));
}

TEST_F(LuaTest, SandboxHidesDangerousGlobals) {
  EXPECT_EQ(eval("return os"),
            err("ERR user_script:1: Script attempted to access nonexistent global variable 'os' "
                "script: f03b5ad6e7d58786b6a5e879efbea4a4408f5c2f, on @user_script:1."));
  for (const char* name : {"io", "require", "loadfile", "dofile", "print", "debug", "package",
                           "setfenv", "getfenv", "module"}) {
    const Reply r = eval(std::string("return type(") + name + ")");
    EXPECT_NE(r.str.find("Script attempted to access nonexistent global variable"),
              std::string::npos)
        << name;
  }
  for (const char* name : {"loadstring", "pcall", "tostring", "unpack", "string", "table",
                           "math", "redis"}) {
    EXPECT_EQ(eval(std::string("return type(") + name + ") ~= nil").type,
              Reply::Type::kInteger)
        << name;
  }
  // Code loaded at run time is sandboxed too.
  EXPECT_EQ(eval("return loadstring('y = 2')()").type, Reply::Type::kError);
}

TEST_F(LuaTest, StepLimitStopsInfiniteLoops) {
  Node node(NodeLimits{.lua_steps_max = 10'000, .keys_max = 100});
  const Reply r = node.execute({"EVAL", "while true do end", "0"}, at(kT0), nullptr);
  ASSERT_EQ(r.type, Reply::Type::kError);
  EXPECT_EQ(r.str.rfind("ERR Script exceeded the step limit of 10000 steps", 0), 0u) << r.str;
  // pcall inside the script cannot swallow the abort.
  const Reply r2 = node.execute(
      {"EVAL", "while true do pcall(function() while true do end end) end", "0"}, at(kT0),
      nullptr);
  EXPECT_EQ(r2.type, Reply::Type::kError);
  // The node stays usable, and short scripts are unaffected.
  EXPECT_EQ(node.execute({"EVAL", "local n = 0 for i = 1, 100 do n = n + i end return n", "0"},
                         at(kT0), nullptr),
            num(5050));
}

TEST_F(LuaTest, StepLimitIsExactEnough) {
  // Two VM instructions per iteration (ADD, FORLOOP): 4900 iterations fit
  // in 10000 steps, 5100 do not.
  Node node(NodeLimits{.lua_steps_max = 10'000, .keys_max = 100});
  const char* loop = "local x = 0 for i = 1, ARGV[1] do x = x + 1 end return x";
  EXPECT_EQ(node.execute({"EVAL", loop, "0", "4900"}, at(kT0), nullptr), num(4900));
  EXPECT_EQ(node.execute({"EVAL", loop, "0", "5100"}, at(kT0), nullptr).type,
            Reply::Type::kError);
}

TEST_F(LuaTest, MemoryCapStopsHugeAllocations) {
  // 128 MB in 8 M repetitions: within the step budget, past the heap cap.
  const Reply r = eval("local s = string.rep('0123456789abcdef', 8 * 1024 * 1024) return #s");
  ASSERT_EQ(r.type, Reply::Type::kError);
  EXPECT_NE(r.str.find("not enough memory"), std::string::npos) << r.str;
  EXPECT_EQ(eval("return 1"), num(1));
}

TEST_F(LuaTest, ScriptCache) {
  const Reply loaded = run({"SCRIPT", "LOAD", "return 1"});
  EXPECT_EQ(loaded, bulk("e0e1f9fabfc9d4800c877a703b823ac0578ff8db"));
  EXPECT_EQ(run({"EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"}), num(1));
  EXPECT_EQ(run({"evalsha", "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB", "0"}), num(1));
  EXPECT_EQ(run({"SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "abc"}),
            Reply::array({num(1), num(0)}));
  EXPECT_EQ(run({"SCRIPT", "FLUSH"}), Reply::status("OK"));
  const Reply noscript = err("NOSCRIPT No matching script. Please use EVAL.");
  EXPECT_EQ(run({"EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"}), noscript);
  EXPECT_EQ(run({"EVALSHA", "abcd", "0"}), noscript);
  // EVAL caches what it runs.
  eval(kReleaseScript, {"1", "k", "v"});
  const Reply sha = run({"SCRIPT", "LOAD", kReleaseScript});
  EXPECT_EQ(run({"SCRIPT", "EXISTS", sha.str}), Reply::array({num(1)}));
  EXPECT_EQ(run({"EVALSHA", sha.str, "1", "k", "v"}), num(0));
}

// What a script can leave behind in the interpreter despite the sandbox:
// garbage, interned strings, grown internal tables (registry, string
// table) and the collector's parameters. Scripts can see all of it through
// collectgarbage('count'), so SCRIPT FLUSH (and a new scenario's node)
// must start from an interpreter identical to a fresh node's: a reset that
// kept the old lua_State (or a VM reused across scenarios) would make a
// script's reply depend on what ran before it on that thread.
TEST_F(LuaTest, ScriptFlushLeavesNothingAScriptCanObserve) {
  const std::string count = "return tostring(collectgarbage('count'))";
  Node fresh;
  const Reply fresh_count = fresh.execute({"EVAL", count, "0"}, at(kT0), nullptr);
  ASSERT_EQ(fresh_count.type, Reply::Type::kBulk);
  EXPECT_EQ(eval(count), fresh_count);

  for (int i = 0; i < 50; ++i) {
    // A different script each time: 50 cached functions and their strings.
    eval("local t = {} for k = 1, 200 do t[k] = 's' .. k .. '" + std::to_string(i) + "' end return #t");
  }
  eval("collectgarbage('setpause', 1000) collectgarbage('setstepmul', 100) return 1");
  ASSERT_NE(eval(count), fresh_count);
  EXPECT_EQ(run({"SCRIPT", "FLUSH"}), Reply::status("OK"));
  EXPECT_EQ(eval(count), fresh_count) << "the interpreter after SCRIPT FLUSH differs from a fresh node's";
  EXPECT_EQ(eval("return collectgarbage('setpause', 200)"), fresh.execute({"EVAL", "return collectgarbage('setpause', 200)", "0"}, at(kT0), nullptr));
}

// A node's interpreter is restored from the saved bytes of a fresh one
// when an earlier node's arena is reused (model/lua_arena.h): whatever the
// earlier node's scripts did, the new node is a freshly built one.
TEST(LuaReuse, ANodeOnAReusedArenaIsAFreshNode) {
  const std::vector<std::string> probes = {
      "return tostring(collectgarbage('count'))",
      "return {math.random(1000000), math.random(1000000)}",
      "return collectgarbage('setpause', 200)",
      "local n = 0 for k in pairs(_G) do n = n + 1 end return n",
  };
  const auto probe_all = [&](Node& node) {
    std::vector<Reply> out;
    for (const std::string& p : probes) out.push_back(node.execute({"EVAL", p, "0"}, at(kT0), nullptr));
    return out;
  };
  // A thread of its own has no arena to reuse: its node is built anew.
  std::vector<Reply> built;
  std::thread([&] {
    Node fresh;
    built = probe_all(fresh);
  }).join();
  ASSERT_EQ(built.size(), probes.size());
  ASSERT_EQ(built[0].type, Reply::Type::kBulk);
  {
    Node used;
    for (int i = 0; i < 20; ++i) {
      used.execute({"EVAL", "local t = {} for k = 1, 300 do t[k] = 'x' .. k .. '" + std::to_string(i) +
                                "' end return math.random(10)",
                    "0"},
                   at(kT0), nullptr);
    }
    used.execute({"EVAL", "collectgarbage('setpause', 1000) return 1", "0"}, at(kT0), nullptr);
    ASSERT_NE(probe_all(used), built);
  }
  Node reused;  // takes the arena `used` left
  EXPECT_EQ(probe_all(reused), built);
  EXPECT_EQ(reused.execute({"EVALSHA", std::string(40, 'a'), "0"}, at(kT0), nullptr),
            err("NOSCRIPT No matching script. Please use EVAL."));
}

// A fresh interpreter whose first act is to compile the script its arena
// saved it compiling is restored from those bytes instead (lua_engine.cc,
// LuaEngine::load): the same as compiling, down to the heap's size.
TEST(LuaReuse, TheFirstScriptRestoredIsTheFirstScriptCompiled) {
  const std::string count = "return tostring(collectgarbage('count'))";
  const auto first_then_count = [&](Node& node) {
    std::vector<Reply> out;
    out.push_back(node.execute({"EVAL", kReleaseScript, "1", "k", "t"}, at(kT0), nullptr));
    out.push_back(node.execute({"EVAL", count, "0"}, at(kT0), nullptr));
    out.push_back(node.execute({"EVALSHA", sha1_hex(kReleaseScript), "1", "k", "t"}, at(kT0), nullptr));
    return out;
  };
  std::vector<Reply> compiled;
  std::thread([&] {
    Node fresh;
    compiled = first_then_count(fresh);
  }).join();
  { Node saves; saves.execute({"EVAL", kReleaseScript, "1", "k", "t"}, at(kT0), nullptr); }
  Node restores;  // on the arena `saves` left, which saved the release script
  EXPECT_EQ(first_then_count(restores), compiled);
  EXPECT_EQ(compiled[2], num(0));
}

// After SCRIPT FLUSH the first script may come from the saved bytes too,
// and math.random still runs on (it does across a flush).
TEST(LuaReuse, AFlushedNodesRandomRunsOnThroughARestoredScript) {
  const std::string four = "return {math.random(1000000), math.random(1000000), math.random(1000000)}";
  Node reference;
  const Reply sequence = reference.execute({"EVAL", four, "0"}, at(kT0), nullptr);
  ASSERT_EQ(sequence.elements.size(), 3u);
  const std::string one = "return math.random(1000000)";
  Node node;
  EXPECT_EQ(node.execute({"EVAL", one, "0"}, at(kT0), nullptr), sequence.elements[0]);
  EXPECT_EQ(node.execute({"SCRIPT", "FLUSH"}, at(kT0), nullptr), Reply::status("OK"));
  // `one` is this arena's first script: restored, not compiled.
  EXPECT_EQ(node.execute({"EVAL", one, "0"}, at(kT0), nullptr), sequence.elements[1]);
  EXPECT_EQ(node.execute({"SCRIPT", "FLUSH"}, at(kT0), nullptr), Reply::status("OK"));
  EXPECT_EQ(node.execute({"EVAL", one, "0"}, at(kT0), nullptr), sequence.elements[2]);
}

// A reused arena takes the new node's limits, not the saved interpreter's.
TEST(LuaReuse, AReusedArenaTakesTheNewNodesStepLimit) {
  { Node first; }
  NodeLimits limits;
  limits.lua_steps_max = 1000;
  Node node(limits);
  const Reply r = node.execute({"EVAL", "local i = 0 while i < 5000 do i = i + 1 end return i", "0"}, at(kT0), nullptr);
  EXPECT_EQ(r.str.rfind("ERR Script exceeded the step limit of 1000 steps", 0), 0u) << r.str;
}

TEST_F(LuaTest, Shebang) {
  EXPECT_EQ(eval("#!lua flags=no-writes,allow-oom\nreturn 2"), num(2));
  EXPECT_EQ(eval("#!lua\nerror('l2')").str.substr(0, 22), "ERR user_script:2: l2 ");
  EXPECT_EQ(eval("#!lua flags=bogus\nreturn 2"),
            err("ERR Unexpected flag in script shebang: bogus"));
  EXPECT_EQ(eval("#!python\nreturn 2"), err("ERR Unexpected engine in script shebang: #!python"));
  EXPECT_EQ(eval("#!lua"), err("ERR Invalid script shebang"));
}

TEST_F(LuaTest, ScriptCommandErrors) {
  EXPECT_EQ(run({"SCRIPT"}), err("ERR wrong number of arguments for 'script' command"));
  EXPECT_EQ(run({"SCRIPT", "LOAD"}), err("ERR wrong number of arguments for 'script|load' command"));
  EXPECT_EQ(run({"SCRIPT", "FOO"}), err("ERR unknown subcommand 'FOO'. Try SCRIPT HELP."));
  EXPECT_EQ(run({"SCRIPT", "FLUSH", "sync", "async"}),
            err("ERR SCRIPT FLUSH only support SYNC|ASYNC option"));
  EXPECT_EQ(run({"SCRIPT", "flush", "ASYNC"}), Reply::status("OK"));
  EXPECT_EQ(run({"SCRIPT", "LOAD", "return syntax("}),
            err("ERR Error compiling script (new function): user_script:1: unexpected symbol "
                "near '<eof>'"));
}

TEST_F(LuaTest, RedisLibraryHelpers) {
  EXPECT_EQ(eval("return redis.sha1hex('')"), bulk("da39a3ee5e6b4b0d3255bfef95601890afd80709"));
  EXPECT_EQ(eval("return redis.sha1hex()"),
            err("ERR wrong number of arguments script: "
                "3c7ce947ae74a835cc575b6ee87fb27503cb7ba4, on @user_script:1."));
  EXPECT_EQ(eval("redis.log(redis.LOG_WARNING, 'hello') return 1"), num(1));
}

TEST_F(LuaTest, MathRandomMatchesRedisSequence) {
  // Values of a fresh redis-server 7.0.15: the generator runs on across
  // scripts and SCRIPT FLUSH; randomseed restarts it.
  EXPECT_EQ(eval("return {math.random(1000), math.random(1000)}"),
            Reply::array({num(397), num(841)}));
  EXPECT_EQ(eval("return {math.random(1000), math.random(1000)}"),
            Reply::array({num(354), num(447)}));
  run({"SCRIPT", "FLUSH"});
  EXPECT_EQ(eval("return {math.random(1000), math.random(1000)}"),
            Reply::array({num(319), num(887)}));
  EXPECT_EQ(eval("math.randomseed(0) return {math.random(1000), math.random(1000)}"),
            Reply::array({num(171), num(750)}));
  node_.clear();
  EXPECT_EQ(eval("return math.random(1000)"), num(397));
  // Intervals wider than INT_MAX: Redis's int arithmetic wraps (undefined
  // behaviour in its C; UBSan flags the model's old copy of it). Values of
  // redis-server 7.0.15.
  EXPECT_EQ(eval("return {math.random(-2147483648, 2147483647), math.random(-2147483648, 2147483647), "
                 "math.random(-2147483647, 2147483647)}"),
            Reply::array({num(-2147483648), num(-2147483648), num(-2147483648)}));
}

}  // namespace
}  // namespace lockcheck::model
