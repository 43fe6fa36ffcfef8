// Data commands of model::Node: semantics, expiry by the passed-in clock,
// exact Redis 7.0 error texts, and the mutation history.
#include "model/node.h"
#include "model/test_support.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

namespace lockcheck::model {

// Test-only: ADL must find these, so they live in Mutation's namespace.
bool operator==(const Mutation& a, const Mutation& b) {
  return a.key == b.key && a.before == b.before && a.after == b.after &&
         a.after_expire_unix_ms == b.after_expire_unix_ms;
}

void PrintTo(const Mutation& m, std::ostream* os) {
  *os << "{" << m.key << ": " << m.before.value_or("<absent>") << " -> "
      << m.after.value_or("<absent>") << " exp=" << m.after_expire_unix_ms.value_or(-1) << "}";
}

namespace {

constexpr int64_t kT0 = 1'700'000'000'000;  // an arbitrary wall-clock reading

NodeWallMs at(int64_t ms) { return NodeWallMs(std::chrono::milliseconds(ms)); }

class NodeTest : public ::testing::Test {
 protected:
  Reply run(std::vector<std::string> argv, int64_t now_ms = kT0) {
    return node_.execute(argv, at(now_ms), &mutations_);
  }

  Node node_;
  std::vector<Mutation> mutations_;
};

Reply ok() { return Reply::status("OK"); }
Reply num(int64_t v) { return Reply::integer_reply(v); }
Reply bulk(std::string s) { return Reply::bulk(std::move(s)); }
Reply err(std::string s) { return Reply::error(std::move(s)); }

const char* kWrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";
const char* kNotInt = "ERR value is not an integer or out of range";

TEST_F(NodeTest, SetGetRoundTrip) {
  EXPECT_EQ(run({"SET", "k", "v"}), ok());
  EXPECT_EQ(run({"get", "k"}), bulk("v"));
  EXPECT_EQ(run({"GET", "missing"}), Reply::nil());
}

// The keyspace reuses the map nodes of dropped keys (keyspace.h): a key
// stored in one starts as empty as a new one, whatever the node held.
TEST_F(NodeTest, AKeyStoredWhereADroppedOneWasStartsEmpty) {
  EXPECT_EQ(run({"HSET", "h", "f1", "v1", "f2", "v2"}), num(2));
  EXPECT_EQ(run({"PEXPIRE", "h", "1000"}), num(1));
  EXPECT_EQ(run({"DEL", "h"}), num(1));
  EXPECT_EQ(run({"SET", "s", "a-value-longer-than-sixteen-bytes"}), ok());
  EXPECT_EQ(run({"TYPE", "s"}), Reply::status("string"));
  EXPECT_EQ(run({"PTTL", "s"}), num(-1));
  EXPECT_EQ(run({"SET", "gone", "x", "PX", "10"}), ok());
  EXPECT_EQ(run({"GET", "gone"}, kT0 + 10), Reply::nil());  // dropped by expiry
  mutations_.clear();
  EXPECT_EQ(run({"HSET", "h2", "only", "1"}), num(1));
  EXPECT_EQ(run({"HGETALL", "h2"}), Reply::array({bulk("only"), bulk("1")}));
  EXPECT_EQ(run({"PTTL", "h2"}), num(-1));
  ASSERT_EQ(mutations_.size(), 1u);
  EXPECT_EQ(mutations_[0].key, "h2");
  EXPECT_EQ(mutations_[0].before, std::nullopt);
  EXPECT_EQ(mutations_[0].after, "only=1");
  EXPECT_EQ(run({"GET", "s"}), bulk("a-value-longer-than-sixteen-bytes"));
  EXPECT_EQ(node_.key_count(at(kT0)), 2u);
}

TEST_F(NodeTest, SetNxOnlyWhenAbsent) {
  EXPECT_EQ(run({"SET", "k", "a", "NX"}), ok());
  EXPECT_EQ(run({"SET", "k", "b", "nx"}), Reply::nil());
  EXPECT_EQ(run({"GET", "k"}), bulk("a"));
}

TEST_F(NodeTest, SetXxOnlyWhenPresent) {
  EXPECT_EQ(run({"SET", "k", "a", "XX"}), Reply::nil());
  EXPECT_EQ(run({"EXISTS", "k"}), num(0));
  run({"SET", "k", "a"});
  EXPECT_EQ(run({"SET", "k", "b", "XX"}), ok());
  EXPECT_EQ(run({"GET", "k"}), bulk("b"));
}

TEST_F(NodeTest, SetNxSucceedsOnExpiredKey) {
  run({"SET", "k", "a", "PX", "100"});
  EXPECT_EQ(run({"SET", "k", "b", "NX", "PX", "100"}, kT0 + 99), Reply::nil());
  EXPECT_EQ(run({"SET", "k", "b", "NX", "PX", "100"}, kT0 + 100), ok());
}

TEST_F(NodeTest, KeyExpiresExactlyAtDeadline) {
  run({"SET", "k", "v", "PX", "1000"});
  EXPECT_EQ(run({"GET", "k"}, kT0 + 999), bulk("v"));
  EXPECT_EQ(run({"PTTL", "k"}, kT0 + 999), num(1));
  EXPECT_EQ(run({"GET", "k"}, kT0 + 1000), Reply::nil());
  EXPECT_EQ(run({"EXISTS", "k"}, kT0 + 5000), num(0));
  EXPECT_EQ(node_.key_count(at(kT0 + 1000)), 0u);
}

TEST_F(NodeTest, ExpiryIsJudgedByTheCallersClockOnly) {
  // A forward jump of the node's clock expires the key early; a later
  // reading that goes back does not resurrect a purged key.
  run({"SET", "k", "v", "PX", "10000"});
  EXPECT_EQ(node_.key_count(at(kT0 + 1)), 1u);
  EXPECT_EQ(run({"GET", "k"}, kT0 + 60'000), Reply::nil());
  EXPECT_EQ(run({"GET", "k"}, kT0 + 2), Reply::nil());
}

TEST_F(NodeTest, SetExAndAbsoluteForms) {
  run({"SET", "a", "v", "EX", "10"});
  EXPECT_EQ(run({"PTTL", "a"}), num(10'000));
  run({"SET", "b", "v", "PXAT", std::to_string(kT0 + 2500)});
  EXPECT_EQ(run({"PTTL", "b"}), num(2500));
  run({"SET", "c", "v", "EXAT", std::to_string(kT0 / 1000 + 3)});
  EXPECT_EQ(run({"PTTL", "c"}), num(3000));
  // A deadline already passed makes the key absent at once.
  run({"SET", "d", "v", "PXAT", std::to_string(kT0 - 1)});
  EXPECT_EQ(run({"EXISTS", "d"}), num(0));
}

TEST_F(NodeTest, SetDropsTtlUnlessKeepttl) {
  run({"SET", "k", "a", "PX", "5000"});
  run({"SET", "k", "b", "KEEPTTL"});
  EXPECT_EQ(run({"PTTL", "k"}), num(5000));
  run({"SET", "k", "c"});
  EXPECT_EQ(run({"PTTL", "k"}), num(-1));
}

TEST_F(NodeTest, SetGetOption) {
  EXPECT_EQ(run({"SET", "k", "a", "GET"}), Reply::nil());
  EXPECT_EQ(run({"SET", "k", "b", "GET"}), bulk("a"));
  EXPECT_EQ(run({"SET", "k", "c", "NX", "GET"}), bulk("b"));  // allowed since 7.0
  EXPECT_EQ(run({"GET", "k"}), bulk("b"));
  run({"HSET", "h", "f", "v"});
  EXPECT_EQ(run({"SET", "h", "x", "GET"}), err(kWrongType));
}

TEST_F(NodeTest, SetOptionValidation) {
  const char* syntax = "ERR syntax error";
  const char* bad_expire = "ERR invalid expire time in 'set' command";
  EXPECT_EQ(run({"SET", "k", "v", "NX", "XX"}), err(syntax));
  EXPECT_EQ(run({"SET", "k", "v", "EX", "1", "PX", "2"}), err(syntax));
  EXPECT_EQ(run({"SET", "k", "v", "KEEPTTL", "PX", "5"}), err(syntax));
  EXPECT_EQ(run({"SET", "k", "v", "PX"}), err(syntax));
  EXPECT_EQ(run({"SET", "k", "v", "BOGUS"}), err(syntax));
  EXPECT_EQ(run({"SET", "k", "v", "PX", "abc"}), err(kNotInt));
  EXPECT_EQ(run({"SET", "k", "v", "PX", "0"}), err(bad_expire));
  EXPECT_EQ(run({"SET", "k", "v", "EX", "-1"}), err(bad_expire));
  EXPECT_EQ(run({"SET", "k", "v", "EX", "9223372036854775"}), err(bad_expire));
  EXPECT_EQ(run({"EXISTS", "k"}), num(0));
  // Repeating the same option is accepted; the last value wins.
  EXPECT_EQ(run({"SET", "k", "v", "EX", "1", "EX", "2"}), ok());
  EXPECT_EQ(run({"TTL", "k"}), num(2));
}

TEST_F(NodeTest, PttlAndTtl) {
  EXPECT_EQ(run({"PTTL", "nope"}), num(-2));
  EXPECT_EQ(run({"TTL", "nope"}), num(-2));
  run({"SET", "k", "v"});
  EXPECT_EQ(run({"PTTL", "k"}), num(-1));
  EXPECT_EQ(run({"TTL", "k"}), num(-1));
  run({"SET", "k", "v", "PX", "10000"});
  EXPECT_EQ(run({"PTTL", "k"}, kT0 + 2501), num(7499));
  EXPECT_EQ(run({"TTL", "k"}, kT0 + 2501), num(7));   // (7499 + 500) / 1000
  EXPECT_EQ(run({"TTL", "k"}, kT0 + 2500), num(8));   // 7500 rounds up
}

TEST_F(NodeTest, DelCountsOnlyLiveKeys) {
  run({"SET", "a", "1"});
  run({"SET", "b", "2", "PX", "10"});
  run({"HSET", "h", "f", "v"});
  EXPECT_EQ(run({"DEL", "a", "b", "h", "missing", "a"}, kT0 + 10), num(2));
  EXPECT_EQ(run({"DEL", "a"}), num(0));
}

TEST_F(NodeTest, ExistsCountsRepeats) {
  run({"SET", "a", "1"});
  EXPECT_EQ(run({"EXISTS", "a", "a", "b"}), num(2));
}

TEST_F(NodeTest, TypeNames) {
  run({"SET", "s", "1"});
  run({"HSET", "h", "f", "v"});
  EXPECT_EQ(run({"TYPE", "s"}), Reply::status("string"));
  EXPECT_EQ(run({"TYPE", "h"}), Reply::status("hash"));
  EXPECT_EQ(run({"TYPE", "x"}), Reply::status("none"));
}

TEST_F(NodeTest, SetnxAndGetset) {
  EXPECT_EQ(run({"SETNX", "k", "a"}), num(1));
  EXPECT_EQ(run({"SETNX", "k", "b"}), num(0));
  run({"PEXPIRE", "k", "500"});
  EXPECT_EQ(run({"GETSET", "k", "c"}), bulk("a"));
  EXPECT_EQ(run({"PTTL", "k"}), num(-1));  // GETSET drops the TTL
  EXPECT_EQ(run({"GETSET", "new", "x"}), Reply::nil());
}

TEST_F(NodeTest, ExpireOptions) {
  EXPECT_EQ(run({"PEXPIRE", "k", "100"}), num(0));
  run({"SET", "k", "v"});
  EXPECT_EQ(run({"PEXPIRE", "k", "100", "XX"}), num(0));
  EXPECT_EQ(run({"PEXPIRE", "k", "100", "GT"}), num(0));  // no TTL counts as infinite
  EXPECT_EQ(run({"PEXPIRE", "k", "100", "NX"}), num(1));
  EXPECT_EQ(run({"PEXPIRE", "k", "200", "NX"}), num(0));
  EXPECT_EQ(run({"PEXPIRE", "k", "50", "GT"}), num(0));
  EXPECT_EQ(run({"PEXPIRE", "k", "300", "GT"}), num(1));
  EXPECT_EQ(run({"PEXPIRE", "k", "400", "LT"}), num(0));
  EXPECT_EQ(run({"EXPIRE", "k", "1", "lt"}), num(0));
  EXPECT_EQ(run({"PEXPIRE", "k", "100", "LT"}), num(1));
  EXPECT_EQ(run({"PTTL", "k"}), num(100));
  EXPECT_EQ(run({"EXPIRE", "k", "10"}), num(1));
  EXPECT_EQ(run({"PTTL", "k"}), num(10'000));
  EXPECT_EQ(run({"PERSIST", "k"}), num(1));
  EXPECT_EQ(run({"PERSIST", "k"}), num(0));
  EXPECT_EQ(run({"PEXPIRE", "k", "100", "NX", "XX"}),
            err("ERR NX and XX, GT or LT options at the same time are not compatible"));
  EXPECT_EQ(run({"PEXPIRE", "k", "100", "GT", "LT"}),
            err("ERR GT and LT options at the same time are not compatible"));
  EXPECT_EQ(run({"EXPIRE", "k", "10", "foo"}), err("ERR Unsupported option foo"));
  EXPECT_EQ(run({"EXPIRE", "k", "ten"}), err(kNotInt));
  EXPECT_EQ(run({"EXPIRE", "k", "9223372036854775807"}),
            err("ERR invalid expire time in 'expire' command"));
}

TEST_F(NodeTest, ExpireInThePastDeletes) {
  run({"SET", "k", "v"});
  EXPECT_EQ(run({"PEXPIRE", "k", "0"}), num(1));
  EXPECT_EQ(run({"EXISTS", "k"}), num(0));
  run({"SET", "k", "v"});
  EXPECT_EQ(run({"EXPIRE", "k", "-5"}), num(1));
  EXPECT_EQ(run({"EXISTS", "k"}), num(0));
}

// The node's clock may read anything (a fuzzer, a clock fault): expiry
// arithmetic must neither overflow nor wrap. Where Redis's own check
// (`when > LLONG_MAX - now`) would overflow, the model checks the sum.
TEST_F(NodeTest, ExpiryArithmeticAtExtremeClocks) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  const int64_t far_past = kMin / 2;  // -4611686018427387904
  run({"SET", "k", "v"}, far_past);
  // A deadline that fits: now + INT64_MAX at a negative clock.
  EXPECT_EQ(run({"PEXPIRE", "k", std::to_string(kMax)}, far_past), num(1));
  EXPECT_EQ(run({"PTTL", "k"}, far_past), num(kMax));
  // Read at the other end of the clock, the TTL is more than int64 holds.
  EXPECT_EQ(run({"PTTL", "k"}, kMin), num(kMax));
  EXPECT_EQ(run({"TTL", "k"}, kMin), num(kMax / 1000 + 1));
  // A sum below INT64_MIN is as invalid as one above INT64_MAX.
  EXPECT_EQ(run({"PEXPIRE", "k", std::to_string(kMin + 1)}, far_past),
            err("ERR invalid expire time in 'pexpire' command"));
  EXPECT_EQ(run({"EXPIRE", "k", std::to_string(kMin / 1000)}, far_past),
            err("ERR invalid expire time in 'expire' command"));
  EXPECT_EQ(run({"PTTL", "k"}, far_past), num(kMax));  // unchanged
  EXPECT_EQ(run({"SET", "k", "v", "PX", std::to_string(kMax)}, -1), ok());
  EXPECT_EQ(run({"PTTL", "k"}, -1), num(kMax));
  EXPECT_EQ(run({"SET", "k", "v", "PX", std::to_string(kMax)}, 1),
            err("ERR invalid expire time in 'set' command"));
}

TEST_F(NodeTest, IncrFamily) {
  EXPECT_EQ(run({"INCR", "n"}), num(1));
  EXPECT_EQ(run({"INCRBY", "n", "41"}), num(42));
  EXPECT_EQ(run({"GET", "n"}), bulk("42"));
  run({"PEXPIRE", "n", "1000"});
  run({"INCR", "n"});
  EXPECT_EQ(run({"PTTL", "n"}), num(1000));  // INCR keeps the TTL
  EXPECT_EQ(run({"INCRBY", "n", "x"}), err(kNotInt));
  EXPECT_EQ(run({"INCRBY", "n", "+1"}), err(kNotInt));
  run({"SET", "s", "12 "});
  EXPECT_EQ(run({"INCR", "s"}), err(kNotInt));
  run({"SET", "big", "9223372036854775807"});
  EXPECT_EQ(run({"INCR", "big"}), err("ERR increment or decrement would overflow"));
  run({"HSET", "h", "f", "1"});
  EXPECT_EQ(run({"INCR", "h"}), err(kWrongType));
}

TEST_F(NodeTest, Hashes) {
  EXPECT_EQ(run({"HSET", "h", "a", "1", "b", "2"}), num(2));
  EXPECT_EQ(run({"HSET", "h", "a", "3"}), num(0));
  EXPECT_EQ(run({"HGET", "h", "a"}), bulk("3"));
  EXPECT_EQ(run({"HGET", "h", "z"}), Reply::nil());
  EXPECT_EQ(run({"HEXISTS", "h", "b"}), num(1));
  EXPECT_EQ(run({"HEXISTS", "h", "z"}), num(0));
  EXPECT_EQ(run({"HINCRBY", "h", "b", "5"}), num(7));
  EXPECT_EQ(run({"HINCRBY", "h", "new", "-2"}), num(-2));
  EXPECT_EQ(run({"HGETALL", "h"}), Reply::array({bulk("a"), bulk("3"), bulk("b"), bulk("7"),
                                                 bulk("new"), bulk("-2")}));
  EXPECT_EQ(run({"HDEL", "h", "a", "b", "zz"}), num(2));
  EXPECT_EQ(run({"HDEL", "h", "new"}), num(1));
  EXPECT_EQ(run({"EXISTS", "h"}), num(0));  // the last field took the key with it
  EXPECT_EQ(run({"HGETALL", "h"}), Reply::array({}));
  EXPECT_EQ(run({"HSET", "h", "a"}), err("ERR wrong number of arguments for 'hset' command"));
  EXPECT_EQ(run({"HSET", "h", "a", "1", "b"}),
            err("ERR wrong number of arguments for 'hset' command"));
  run({"HSET", "h", "s", "abc"});
  EXPECT_EQ(run({"HINCRBY", "h", "s", "1"}), err("ERR hash value is not an integer"));
  EXPECT_EQ(run({"HINCRBY", "h", "s", "x"}), err(kNotInt));
}

TEST_F(NodeTest, WrongType) {
  run({"SET", "s", "v"});
  run({"HSET", "h", "f", "v"});
  EXPECT_EQ(run({"GET", "h"}), err(kWrongType));
  EXPECT_EQ(run({"GETSET", "h", "x"}), err(kWrongType));
  EXPECT_EQ(run({"HGET", "s", "f"}), err(kWrongType));
  EXPECT_EQ(run({"HSET", "s", "f", "v"}), err(kWrongType));
  EXPECT_EQ(run({"HDEL", "s", "f"}), err(kWrongType));
  EXPECT_EQ(run({"HGETALL", "s"}), err(kWrongType));
  // Plain SET overwrites whatever type was there.
  EXPECT_EQ(run({"SET", "h", "x"}), ok());
  EXPECT_EQ(run({"GET", "h"}), bulk("x"));
}

TEST_F(NodeTest, ArityErrorsUseTheLowercaseName) {
  EXPECT_EQ(run({"SET", "k"}), err("ERR wrong number of arguments for 'set' command"));
  EXPECT_EQ(run({"GeT"}), err("ERR wrong number of arguments for 'get' command"));
  EXPECT_EQ(run({"get", "a", "b"}), err("ERR wrong number of arguments for 'get' command"));
  EXPECT_EQ(run({"DEL"}), err("ERR wrong number of arguments for 'del' command"));
  EXPECT_EQ(run({"PING", "a", "b"}), err("ERR wrong number of arguments for 'ping' command"));
  EXPECT_EQ(run({"EVAL", "return 1"}), err("ERR wrong number of arguments for 'eval' command"));
}

TEST_F(NodeTest, UnknownCommandText) {
  EXPECT_EQ(run({"foo", "a", "b"}),
            err("ERR unknown command 'foo', with args beginning with: 'a' 'b' "));
  EXPECT_EQ(run({"FOO"}), err("ERR unknown command 'FOO', with args beginning with: "));
  const std::string long_arg(200, 'x');
  EXPECT_EQ(run({"foo", long_arg, "b"}),
            err("ERR unknown command 'foo', with args beginning with: '" + std::string(128, 'x') +
                "' "));
  EXPECT_EQ(run({"foo", "a\r\nb"}),
            err("ERR unknown command 'foo', with args beginning with: 'a  b' "));
  // Redis formats with %s: a NUL byte ends the name or argument.
  EXPECT_EQ(run({std::string("fo\0o", 4), std::string("a\0b", 3), "c"}),
            err("ERR unknown command 'fo', with args beginning with: 'a' 'c' "));
  EXPECT_EQ(run({"SCRIPT", std::string("no\0pe", 6)}), err("ERR unknown subcommand 'no'. Try SCRIPT HELP."));
}

TEST_F(NodeTest, Ping) {
  EXPECT_EQ(run({"PING"}), Reply::status("PONG"));
  EXPECT_EQ(run({"ping", "hi"}), bulk("hi"));
}

TEST_F(NodeTest, KeysMaxRefusesGrowth) {
  Node small(NodeLimits{.lua_steps_max = 1000, .keys_max = 2});
  EXPECT_EQ(small.execute({"SET", "a", "1"}, at(kT0), nullptr), ok());
  EXPECT_EQ(small.execute({"SET", "b", "1", "PX", "5"}, at(kT0), nullptr), ok());
  const Reply oom = err("OOM command not allowed when used memory > 'maxmemory'.");
  EXPECT_EQ(small.execute({"SET", "c", "1"}, at(kT0), nullptr), oom);
  EXPECT_EQ(small.execute({"DEL", "a"}, at(kT0), nullptr), num(1));  // deletes still work
  EXPECT_EQ(small.execute({"SET", "c", "1"}, at(kT0), nullptr), ok());
  // Expired keys do not count.
  EXPECT_EQ(small.execute({"SET", "d", "1"}, at(kT0 + 5), nullptr), ok());
}

TEST_F(NodeTest, ClearDropsKeysAndScripts) {
  run({"SET", "k", "v"});
  const Reply sha = run({"SCRIPT", "LOAD", "return 1"});
  node_.clear();
  EXPECT_EQ(run({"EXISTS", "k"}), num(0));
  EXPECT_EQ(run({"EVALSHA", sha.str, "0"}), err("NOSCRIPT No matching script. Please use EVAL."));
}

// ---- mutation history ----------------------------------------------------

Mutation mutation(std::string key, std::optional<std::string> before,
                  std::optional<std::string> after, std::optional<int64_t> expire) {
  return Mutation{std::move(key), std::move(before), std::move(after), expire};
}

TEST_F(NodeTest, MutationsForSetDelPexpire) {
  run({"SET", "k", "v1", "PX", "1000"});
  run({"SET", "k", "v1", "NX"});  // refused: no change
  run({"GET", "k"});               // reads record nothing
  run({"PEXPIRE", "k", "5000"}, kT0 + 10);
  run({"SET", "k", "v2", "KEEPTTL"});
  run({"DEL", "k"});
  run({"DEL", "k"});  // nothing left: no change
  const std::vector<Mutation> want = {
      mutation("k", std::nullopt, "v1", kT0 + 1000),
      mutation("k", "v1", "v1", kT0 + 5010),
      mutation("k", "v1", "v2", kT0 + 5010),
      mutation("k", "v2", std::nullopt, std::nullopt),
  };
  EXPECT_EQ(mutations_, want);
}

TEST_F(NodeTest, MutationTreatsExpiredAsAbsent) {
  run({"SET", "k", "old", "PX", "10"});
  mutations_.clear();
  run({"SET", "k", "new"}, kT0 + 10);
  ASSERT_EQ(mutations_.size(), 1u);
  EXPECT_EQ(mutations_[0], mutation("k", std::nullopt, "new", std::nullopt));
}

TEST_F(NodeTest, MutationOnlyWhenSomethingChanged) {
  run({"SET", "k", "v"});
  run({"SET", "k", "v"});
  run({"PERSIST", "k"});
  EXPECT_EQ(mutations_.size(), 1u);
}

TEST_F(NodeTest, MutationRendersHashesCanonically) {
  run({"HSET", "h", "b", "2", "a", "1"});
  run({"HINCRBY", "h", "a", "1"});
  run({"HDEL", "h", "a", "b"});
  const std::vector<Mutation> want = {
      mutation("h", std::nullopt, "a=1;b=2", std::nullopt),
      mutation("h", "a=1;b=2", "a=2;b=2", std::nullopt),
      mutation("h", "a=2;b=2", std::nullopt, std::nullopt),
  };
  EXPECT_EQ(mutations_, want);
}

TEST_F(NodeTest, NullMutationSinkIsFine) {
  EXPECT_EQ(node_.execute({"SET", "k", "v"}, at(kT0), nullptr), ok());
}

}  // namespace
}  // namespace lockcheck::model

namespace lockcheck::model {
namespace {

TEST(NodeImage, CopiesAKeyToAnotherNodeWithItsTtlAndType) {
  Node primary, replica;
  const NodeWallMs now(std::chrono::milliseconds(1'700'000'000'000));
  primary.execute({"SET", "lock", "tok", "PX", "1000"}, now, nullptr);
  primary.execute({"HSET", "h", "owner", "3"}, now, nullptr);
  for (const char* key : {"lock", "h", "missing"}) replica.put_image(primary.image_of(key));
  EXPECT_EQ(replica.execute({"GET", "lock"}, now, nullptr), Reply::bulk("tok"));
  EXPECT_EQ(replica.execute({"PTTL", "lock"}, now, nullptr), Reply::integer_reply(1000));
  EXPECT_EQ(replica.execute({"HGET", "h", "owner"}, now, nullptr), Reply::bulk("3"));
  EXPECT_FALSE(replica.image_of("missing").exists);
  // The image keeps an expired key; the reader judges expiry by its clock.
  const NodeWallMs later = now + std::chrono::milliseconds(5000);
  EXPECT_TRUE(primary.image_of("lock").exists);
  EXPECT_EQ(replica.execute({"GET", "lock"}, later, nullptr), Reply::nil());
  // A deletion travels as an image too.
  primary.execute({"DEL", "h"}, now, nullptr);
  replica.put_image(primary.image_of("h"));
  EXPECT_EQ(replica.execute({"EXISTS", "h"}, now, nullptr), Reply::integer_reply(0));
}

}  // namespace
}  // namespace lockcheck::model
