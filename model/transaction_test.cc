// Per-connection transactions (MULTI/EXEC/DISCARD/WATCH/UNWATCH), PUBLISH,
// WAIT and HGETALL order on model::Node. Expected replies were taken from
// redis-server 7.0.15; tests/conformance_test.cc checks the same rules
// differentially over generated sequences.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model/node.h"
#include "model/test_support.h"

namespace lockcheck::model {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;
constexpr ConnId kA = 1;
constexpr ConnId kB = 2;

NodeWallMs at(int64_t ms) { return NodeWallMs(std::chrono::milliseconds(ms)); }

Reply ok() { return Reply::status("OK"); }
Reply queued() { return Reply::status("QUEUED"); }
Reply num(int64_t v) { return Reply::integer_reply(v); }
Reply bulk(std::string s) { return Reply::bulk(std::move(s)); }
Reply err(std::string s) { return Reply::error(std::move(s)); }

const char* kExecAbort = "EXECABORT Transaction discarded because of previous errors.";

class TransactionTest : public ::testing::Test {
 protected:
  Reply on(ConnId conn, std::vector<std::string> argv, int64_t now_ms = kT0) {
    return node_.execute(argv, at(now_ms), &mutations_, conn);
  }

  Node node_;
  std::vector<Mutation> mutations_;
};

TEST_F(TransactionTest, ExecRunsTheQueueAndReturnsEveryReply) {
  EXPECT_EQ(on(kA, {"MULTI"}), ok());
  EXPECT_EQ(on(kA, {"SET", "k", "1", "NX", "XX"}), queued());  // fails only at EXEC
  EXPECT_EQ(on(kA, {"INCR", "k"}), queued());
  EXPECT_EQ(on(kA, {"WAIT", "0", "0"}), queued());
  EXPECT_EQ(on(kA, {"PUBLISH", "ch", "x"}), queued());
  EXPECT_EQ(on(kA, {"GET", "k"}), queued());
  // Another connection is not in the transaction.
  EXPECT_EQ(on(kB, {"GET", "k"}), Reply::nil());
  EXPECT_EQ(on(kA, {"EXEC"}), Reply::array({err("ERR syntax error"), num(1), num(0), num(0), bulk("1")}));
  EXPECT_EQ(on(kA, {"EXEC"}), err("ERR EXEC without MULTI"));
  EXPECT_EQ(on(kA, {"GET", "k"}), bulk("1"));
}

TEST_F(TransactionTest, InMultiTellsWhetherCommandsAreQueued) {
  EXPECT_FALSE(node_.in_multi(kA));
  EXPECT_EQ(on(kA, {"MULTI"}), ok());
  EXPECT_TRUE(node_.in_multi(kA));
  EXPECT_FALSE(node_.in_multi(kB));
  EXPECT_EQ(on(kA, {"EXEC"}), Reply::array({}));
  EXPECT_FALSE(node_.in_multi(kA));
  EXPECT_EQ(on(kA, {"MULTI"}), ok());
  EXPECT_EQ(on(kA, {"DISCARD"}), ok());
  EXPECT_FALSE(node_.in_multi(kA));
}

TEST_F(TransactionTest, ControlErrorsAsRedis) {
  EXPECT_EQ(on(kA, {"DISCARD"}), err("ERR DISCARD without MULTI"));
  EXPECT_EQ(on(kA, {"MULTI"}), ok());
  EXPECT_EQ(on(kA, {"MULTI"}), err("ERR MULTI calls can not be nested"));
  EXPECT_EQ(on(kA, {"WATCH", "k"}), err("ERR WATCH inside MULTI is not allowed"));
  EXPECT_EQ(on(kA, {"SET", "k", "v"}), queued());
  // Neither error above aborts the transaction.
  EXPECT_EQ(on(kA, {"EXEC"}), Reply::array({ok()}));
  EXPECT_EQ(on(kA, {"MULTI"}), ok());
  EXPECT_EQ(on(kA, {"SET", "k", "w"}), queued());
  EXPECT_EQ(on(kA, {"DISCARD"}), ok());
  EXPECT_EQ(on(kA, {"GET", "k"}), bulk("v"));
  EXPECT_EQ(on(kA, {"MULTI", "x"}), err("ERR wrong number of arguments for 'multi' command"));
  EXPECT_EQ(on(kA, {"UNWATCH"}), ok());
}

TEST_F(TransactionTest, RefusedCommandsAbortExec) {
  EXPECT_EQ(on(kA, {"MULTI"}), ok());
  EXPECT_EQ(on(kA, {"FOO"}), err("ERR unknown command 'FOO', with args beginning with: "));
  EXPECT_EQ(on(kA, {"SET", "k", "3"}), queued());
  EXPECT_EQ(on(kA, {"EXEC"}), err(kExecAbort));
  EXPECT_EQ(on(kA, {"GET", "k"}), Reply::nil());

  EXPECT_EQ(on(kA, {"MULTI"}), ok());
  EXPECT_EQ(on(kA, {"SET", "k"}), err("ERR wrong number of arguments for 'set' command"));
  EXPECT_EQ(on(kA, {"EXEC"}), err(kExecAbort));

  EXPECT_EQ(on(kA, {"MULTI"}), ok());
  EXPECT_EQ(on(kA, {"WATCH"}), err("ERR wrong number of arguments for 'watch' command"));
  EXPECT_EQ(on(kA, {"EXEC"}), err(kExecAbort));
  EXPECT_EQ(on(kA, {"EXEC"}), err("ERR EXEC without MULTI"));
}

TEST_F(TransactionTest, ScriptsQueueAndFailOnlyAtExec) {
  EXPECT_EQ(on(kA, {"MULTI"}), ok());
  EXPECT_EQ(on(kA, {"EVAL", "return 1", "0"}), queued());
  EXPECT_EQ(on(kA, {"EVAL", "return 1", "x"}), queued());
  EXPECT_EQ(on(kA, {"EXEC"}), Reply::array({num(1), err("ERR value is not an integer or out of range")}));
}

TEST_F(TransactionTest, WatchedKeyWrittenByAnotherConnectionAbortsExec) {
  EXPECT_EQ(on(kA, {"WATCH", "k"}), ok());
  EXPECT_EQ(on(kB, {"SET", "k", "5"}), ok());
  EXPECT_EQ(on(kA, {"MULTI"}), ok());
  EXPECT_EQ(on(kA, {"SET", "k", "mine"}), queued());
  mutations_.clear();
  EXPECT_EQ(on(kA, {"EXEC"}), Reply::nil_array());
  EXPECT_EQ(encode_reply(Reply::nil_array()), "*-1\r\n");
  EXPECT_TRUE(mutations_.empty());
  EXPECT_EQ(on(kA, {"GET", "k"}), bulk("5"));
}

TEST_F(TransactionTest, OwnWriteOutsideMultiAlsoAbortsExec) {
  EXPECT_EQ(on(kA, {"WATCH", "k"}), ok());
  EXPECT_EQ(on(kA, {"SET", "k", "6"}), ok());
  EXPECT_EQ(on(kA, {"MULTI"}), ok());
  EXPECT_EQ(on(kA, {"GET", "k"}), queued());
  EXPECT_EQ(on(kA, {"EXEC"}), Reply::nil_array());
}

TEST_F(TransactionTest, FailedWritesAndReadsDoNotTouch) {
  on(kB, {"SET", "k", "6"});
  on(kB, {"HSET", "h", "f", "v"});
  EXPECT_EQ(on(kA, {"WATCH", "k", "h", "absent"}), ok());
  EXPECT_EQ(on(kB, {"SET", "k", "7", "NX"}), Reply::nil());
  EXPECT_EQ(on(kB, {"PEXPIRE", "k", "100000", "XX"}), num(0));
  EXPECT_EQ(on(kB, {"HDEL", "h", "nofield"}), num(0));
  EXPECT_EQ(on(kB, {"DEL", "absent"}), num(0));
  EXPECT_EQ(on(kB, {"GET", "k"}), bulk("6"));
  EXPECT_EQ(on(kA, {"MULTI"}), ok());
  EXPECT_EQ(on(kA, {"GET", "k"}), queued());
  EXPECT_EQ(on(kA, {"EXEC"}), Reply::array({bulk("6")}));
}

TEST_F(TransactionTest, RewriteWithTheSameValueTouches) {
  on(kB, {"HSET", "h", "f", "v"});
  EXPECT_EQ(on(kA, {"WATCH", "h"}), ok());
  EXPECT_EQ(on(kB, {"HSET", "h", "f", "v"}), num(0));
  EXPECT_EQ(on(kA, {"MULTI"}), ok());
  EXPECT_EQ(on(kA, {"EXEC"}), Reply::nil_array());
}

TEST_F(TransactionTest, ScriptWritesTouch) {
  EXPECT_EQ(on(kA, {"WATCH", "k"}), ok());
  EXPECT_EQ(on(kB, {"EVAL", "return redis.call('set', KEYS[1], 'x')", "1", "k"}), ok());
  EXPECT_EQ(on(kA, {"MULTI"}), ok());
  EXPECT_EQ(on(kA, {"EXEC"}), Reply::nil_array());
}

TEST_F(TransactionTest, UnwatchAndExecForgetWatches) {
  EXPECT_EQ(on(kA, {"WATCH", "k"}), ok());
  EXPECT_EQ(on(kB, {"SET", "k", "1"}), ok());
  EXPECT_EQ(on(kA, {"UNWATCH"}), ok());  // also clears the dirty flag
  EXPECT_EQ(on(kA, {"MULTI"}), ok());
  EXPECT_EQ(on(kA, {"EXEC"}), Reply::array({}));

  EXPECT_EQ(on(kA, {"WATCH", "k"}), ok());
  EXPECT_EQ(on(kA, {"MULTI"}), ok());
  EXPECT_EQ(on(kA, {"EXEC"}), Reply::array({}));
  EXPECT_EQ(on(kB, {"SET", "k", "2"}), ok());  // after EXEC: no watch left
  EXPECT_EQ(on(kA, {"MULTI"}), ok());
  EXPECT_EQ(on(kA, {"EXEC"}), Reply::array({}));
}

TEST_F(TransactionTest, ExecWritesDirtyOtherWatchers) {
  EXPECT_EQ(on(kB, {"WATCH", "k"}), ok());
  EXPECT_EQ(on(kA, {"MULTI"}), ok());
  EXPECT_EQ(on(kA, {"SET", "k", "a"}), queued());
  EXPECT_EQ(on(kA, {"EXEC"}), Reply::array({ok()}));
  EXPECT_EQ(on(kB, {"MULTI"}), ok());
  EXPECT_EQ(on(kB, {"EXEC"}), Reply::nil_array());
}

// Redis 7.0: a key live at WATCH that expires before EXEC aborts it; a key
// already expired at WATCH whose expiry-deletion comes later does not.
TEST_F(TransactionTest, ExpiryAndWatch) {
  on(kB, {"SET", "k", "v", "PX", "100"});
  EXPECT_EQ(on(kA, {"WATCH", "k"}, kT0), ok());
  EXPECT_EQ(on(kA, {"MULTI"}, kT0 + 150), ok());
  EXPECT_EQ(on(kA, {"EXEC"}, kT0 + 150), Reply::nil_array());

  on(kB, {"SET", "k", "v", "PX", "100"}, kT0 + 200);
  EXPECT_EQ(on(kA, {"WATCH", "k"}, kT0 + 400), ok());  // already expired
  EXPECT_EQ(on(kB, {"GET", "k"}, kT0 + 400), Reply::nil());  // deletes it
  EXPECT_EQ(on(kA, {"MULTI"}, kT0 + 400), ok());
  EXPECT_EQ(on(kA, {"EXEC"}, kT0 + 400), Reply::array({}));

  on(kB, {"SET", "k", "v", "PX", "100"}, kT0 + 500);
  EXPECT_EQ(on(kA, {"WATCH", "k"}, kT0 + 700), ok());  // already expired
  EXPECT_EQ(on(kB, {"SET", "k", "new"}, kT0 + 700), ok());  // a real write
  EXPECT_EQ(on(kA, {"MULTI"}, kT0 + 700), ok());
  EXPECT_EQ(on(kA, {"EXEC"}, kT0 + 700), Reply::nil_array());
}

TEST_F(TransactionTest, TransactionCommandsAreNotAllowedFromScripts) {
  for (const char* cmd : {"multi", "exec", "discard", "unwatch"}) {
    const std::string script = std::string("return redis.pcall('") + cmd + "')";
    EXPECT_EQ(on(kA, {"EVAL", script, "0"}), err("ERR This Redis command is not allowed from script"))
        << cmd;
  }
  EXPECT_EQ(on(kA, {"EVAL", "return redis.pcall('watch', 'k')", "0"}),
            err("ERR This Redis command is not allowed from script"));
  EXPECT_EQ(on(kA, {"EVAL", "return redis.pcall('wait', '0', '0')", "0"}),
            err("ERR This Redis command is not allowed from script"));
  EXPECT_EQ(on(kA, {"EVAL", "return redis.pcall('watch')", "0"}),
            err("ERR Wrong number of args calling Redis command from script"));
  EXPECT_EQ(on(kA, {"EVAL", "return redis.call('publish', 'c', 'm')", "0"}), num(0));
}

TEST_F(TransactionTest, ClearDropsConnectionState) {
  EXPECT_EQ(on(kA, {"MULTI"}), ok());
  EXPECT_EQ(on(kB, {"WATCH", "k"}), ok());
  on(kA, {"SET", "k", "1"});
  node_.clear();
  EXPECT_EQ(on(kA, {"EXEC"}), err("ERR EXEC without MULTI"));
  EXPECT_EQ(on(kB, {"MULTI"}), ok());
  EXPECT_EQ(on(kB, {"EXEC"}), Reply::array({}));
}

TEST_F(TransactionTest, QueueAndWatchAreBounded) {
  NodeLimits limits;
  limits.multi_commands_max = 2;
  limits.watched_keys_max = 2;
  Node node(limits);
  auto run = [&](std::vector<std::string> argv) { return node.execute(argv, at(kT0), nullptr, kA); };
  const char* kOom = "OOM command not allowed when used memory > 'maxmemory'.";
  EXPECT_EQ(run({"WATCH", "a", "b"}), ok());
  EXPECT_EQ(run({"WATCH", "a", "c"}), err(kOom));
  EXPECT_EQ(run({"WATCH", "b", "a"}), ok());
  EXPECT_EQ(run({"MULTI"}), ok());
  EXPECT_EQ(run({"PING"}), queued());
  EXPECT_EQ(run({"PING"}), queued());
  EXPECT_EQ(run({"PING"}), err(kOom));
  EXPECT_EQ(run({"EXEC"}), err(kExecAbort));
}

TEST(PublishAndWait, RepliesOfAStandaloneNode) {
  Node node;
  auto run = [&](std::vector<std::string> argv) { return node.execute(argv, at(kT0), nullptr); };
  EXPECT_EQ(run({"PUBLISH", "ch", "m"}), num(0));
  EXPECT_EQ(run({"PUBLISH", "ch"}), err("ERR wrong number of arguments for 'publish' command"));
  EXPECT_EQ(run({"WAIT", "0", "0"}), num(0));
  EXPECT_EQ(run({"WAIT", "1", "10"}), num(0));
  EXPECT_EQ(run({"WAIT", "-1", "0"}), num(0));
  EXPECT_EQ(run({"WAIT", "0"}), err("ERR wrong number of arguments for 'wait' command"));
  EXPECT_EQ(run({"WAIT", "a", "0"}), err("ERR value is not an integer or out of range"));
  EXPECT_EQ(run({"WAIT", "0", "a"}), err("ERR timeout is not an integer or out of range"));
  EXPECT_EQ(run({"WAIT", "0", "-1"}), err("ERR timeout is negative"));
  EXPECT_EQ(run({"WAIT", "0", "9223372036854775807"}), num(0));  // 7.0 does not range-check
}

TEST(Hgetall, InsertionOrderAsASmallRedisHash) {
  Node node;
  auto run = [&](std::vector<std::string> argv) { return node.execute(argv, at(kT0), nullptr); };
  EXPECT_EQ(run({"HSET", "h", "z", "1", "a", "2", "m", "3"}), num(3));
  EXPECT_EQ(run({"HSET", "h", "a", "9"}), num(0));  // in place
  EXPECT_EQ(run({"HGETALL", "h"}),
            Reply::array({bulk("z"), bulk("1"), bulk("a"), bulk("9"), bulk("m"), bulk("3")}));
  EXPECT_EQ(run({"HDEL", "h", "z"}), num(1));
  EXPECT_EQ(run({"HSET", "h", "z", "0"}), num(1));  // appended
  EXPECT_EQ(run({"HINCRBY", "h", "q", "5"}), num(5));
  EXPECT_EQ(run({"HGETALL", "h"}), Reply::array({bulk("a"), bulk("9"), bulk("m"), bulk("3"),
                                                 bulk("z"), bulk("0"), bulk("q"), bulk("5")}));
  EXPECT_EQ(run({"SET", "h", "s"}), ok());  // a string now; a new hash starts empty
  EXPECT_EQ(run({"DEL", "h"}), num(1));
  EXPECT_EQ(run({"HSET", "h", "b", "1"}), num(1));
  EXPECT_EQ(run({"HGETALL", "h"}), Reply::array({bulk("b"), bulk("1")}));
}

TEST(ModelBugs, IgnoreNxIsOffByDefaultAndBreaksNxWhenOn) {
  Node good;
  EXPECT_EQ(good.execute({"SET", "k", "a"}, at(kT0), nullptr), ok());
  EXPECT_EQ(good.execute({"SET", "k", "b", "NX"}, at(kT0), nullptr), Reply::nil());
  ModelBugs bugs;
  bugs.ignore_nx = true;
  Node bad({}, bugs);
  EXPECT_EQ(bad.execute({"SET", "k", "a"}, at(kT0), nullptr), ok());
  EXPECT_EQ(bad.execute({"SET", "k", "b", "NX"}, at(kT0), nullptr), ok());
  EXPECT_EQ(bad.execute({"GET", "k"}, at(kT0), nullptr), bulk("b"));
}

}  // namespace
}  // namespace lockcheck::model
