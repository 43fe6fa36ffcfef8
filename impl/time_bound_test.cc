// The time promises every strategy keeps, whatever the nodes do (as the
// `timeout` property judges them in simulation): an acquire returns within
// acquire_timeout + one request timeout + one retry delay, and a release or
// an extend within one request timeout per node. Nodes here never answer
// in time, or answer NOSCRIPT so a script costs two calls. (Broken recipes
// send their second command however late, as written: setnx-expire's
// EXPIRE after a won SETNX, getset's GETSET after a GET of a stale stamp,
// watch-multi's DEL after a matching GET; these nodes never let them get
// that far.)
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "impl/lock.h"
#include "impl/test_env.h"

namespace lockcheck {
namespace {

using testing::MultiNodeScriptedEnv;

constexpr Millis kRequestTimeout{50};

struct Case {
  std::string name;
  size_t nodes;
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

std::vector<Case> bounded_strategies() {
  std::vector<Case> out;
  for (const auto& info : strategy_catalog()) {
    if (info.name == "retry-forever") continue;  // broken exactly here: it has no deadline
    out.push_back({std::string(info.name), static_cast<size_t>(info.nodes)});
  }
  return out;
}

LockOptions bound_options() {
  LockOptions o;
  o.ttl = Millis(1000);
  o.acquire_timeout = Millis(115);  // an attempt starts at 110 ms, just before it
  o.retry_delay_min = Millis(10);
  o.retry_delay_max = Millis(10);
  return o;
}

// Every call takes a full request timeout and then fails as a timeout does.
MultiNodeScriptedEnv silent_nodes(size_t nodes) {
  MultiNodeScriptedEnv env(nodes);
  env.timeout = kRequestTimeout;
  env.per_call = kRequestTimeout;
  for (auto& q : env.replies) {
    for (int i = 0; i < 200; ++i) q.push_back(Error{ErrorCode::kTimeout, "no reply"});
  }
  return env;
}

// Every call answers NOSCRIPT after 30 ms: a script's EVALSHA and its EVAL
// fallback would take 60 ms, more than one request timeout.
MultiNodeScriptedEnv noscript_nodes(size_t nodes) {
  MultiNodeScriptedEnv env(nodes);
  env.timeout = kRequestTimeout;
  env.per_call = Millis(30);
  for (auto& q : env.replies) {
    for (int i = 0; i < 200; ++i) q.push_back(Error{ErrorCode::kRedisError, "NOSCRIPT No matching script."});
  }
  return env;
}

class TimeBound : public ::testing::TestWithParam<Case> {};

INSTANTIATE_TEST_SUITE_P(Strategies, TimeBound, ::testing::ValuesIn(bounded_strategies()),
                         [](const auto& info) {
                           std::string n = info.param.name;
                           for (char& c : n) {
                             if (c == '-') c = '_';
                           }
                           return n;
                         });

// Before acquire_cutoff, an attempt begun just before the deadline spent a
// request timeout on its command and another on undoing it (N of each for
// Redlock), past acquire_timeout + one request timeout.
TEST_P(TimeBound, AcquireReturnsWithinTimeoutPlusOneRequestAndOneRetryDelay) {
  const LockOptions o = bound_options();
  const Nanos bound = o.acquire_timeout + kRequestTimeout + o.retry_delay_max;
  MultiNodeScriptedEnv env = silent_nodes(GetParam().nodes);
  auto lock = make_strategy(GetParam().name);
  ASSERT_NE(lock, nullptr);
  auto lease = run_sync(lock->acquire(env, o));
  ASSERT_FALSE(lease.ok());
  EXPECT_EQ(lease.error().code, ErrorCode::kAcquireTimeout) << lease.error().to_string();
  EXPECT_LE(env.mono - MonoInstant{}, bound) << "sent: " << env.sent.size() << " commands";
  EXPECT_GE(env.mono - MonoInstant{}, o.acquire_timeout - o.retry_delay_max) << "gave up early";
}

TEST_P(TimeBound, ReleaseAndExtendReturnWithinOneRequestTimeoutPerNode) {
  const Nanos bound = kRequestTimeout * static_cast<int64_t>(GetParam().nodes);
  auto lock = make_strategy(GetParam().name);
  ASSERT_NE(lock, nullptr);
  Lease lease{"lockcheck:lock", "t", MonoInstant{}, MonoInstant{} + Millis(900), {}, Millis(1000)};
  for (auto make : {silent_nodes, noscript_nodes}) {
    MultiNodeScriptedEnv env = make(GetParam().nodes);
    (void)run_sync(lock->release(env, lease));
    EXPECT_LE(env.mono - MonoInstant{}, bound) << "release sent " << env.sent.size() << " commands";
    const MonoInstant start = env.mono;
    (void)run_sync(lock->extend(env, lease, bound_options()));
    EXPECT_LE(env.mono - start, bound) << "extend sent " << env.sent.size() << " commands";
  }
}

}  // namespace
}  // namespace lockcheck
