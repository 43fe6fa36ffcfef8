// Test-only: an Env whose replies are scripted per node, for contract tests
// of strategies' decision logic (replies no real server gives on demand,
// such as a timeout whose outcome is unknown). Every call takes per_call of
// monotonic time; the wall clock follows it plus wall_offset, which a test
// may step to model an NTP jump. call_by() sends nothing once its reply_by
// has passed, and cuts a call that would outlast it: the clock stops at
// reply_by, the scripted reply is lost and the call is Error{kTimeout}.
#ifndef LOCKCHECK_IMPL_TEST_ENV_H_
#define LOCKCHECK_IMPL_TEST_ENV_H_

#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "impl/env.h"
#include "impl/lock.h"

namespace lockcheck::testing {

class MultiNodeScriptedEnv : public Env {
 public:
  explicit MultiNodeScriptedEnv(size_t nodes) : replies(nodes) {}

  std::vector<std::deque<Result<Reply>>> replies;  // per node, answered in order
  std::vector<std::pair<size_t, std::vector<std::string>>> sent;
  MonoInstant mono{};
  Nanos wall_offset{0};
  Nanos per_call{Millis(1)};
  Nanos timeout{Millis(50)};  // what request_timeout() answers
  uint64_t next_random = 1;
  std::vector<MonoInstant> reply_by;  // per sent command (max() for call())
  std::vector<std::string> notes;     // what the strategy note()d

  MonoInstant mono_now() override { return mono; }
  WallInstant wall_now() override { return WallInstant{} + Millis(1'700'000'000'000) + mono.time_since_epoch() + wall_offset; }
  Task<void> sleep(Nanos d) override {
    mono += d;
    co_return;
  }
  uint64_t random_u64() override { return next_random++; }
  size_t node_count() const override { return replies.size(); }
  Task<Result<Reply>> call(size_t node, std::vector<std::string> argv) override {
    co_return answer(node, std::move(argv), MonoInstant::max());
  }
  Task<Result<Reply>> call_by(size_t node, std::vector<std::string> argv, MonoInstant by) override {
    if (mono >= by) co_return Error{ErrorCode::kTimeout, "not sent: deadline passed"};
    co_return answer(node, std::move(argv), by);
  }
  Nanos request_timeout() const override { return timeout; }
  void note(std::string text) override { notes.push_back(std::move(text)); }

  Result<Reply> answer(size_t node, std::vector<std::string> argv, MonoInstant by) {
    LC_CHECK(node < replies.size());
    sent.emplace_back(node, std::move(argv));
    reply_by.push_back(by);
    auto& q = replies[node];
    std::optional<Result<Reply>> r;
    if (!q.empty()) {
      r = std::move(q.front());
      q.pop_front();
    }
    if (by - mono < per_call) {
      mono = by;
      return Error{ErrorCode::kTimeout, "cut at the caller's deadline"};
    }
    mono += per_call;
    if (!r) return Error{ErrorCode::kConnectionLost, "script exhausted"};
    return std::move(*r);
  }

  // The command names sent, in order (for asserting on the wire protocol).
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [node, argv] : sent) out.push_back(argv.empty() ? "" : argv[0]);
    return out;
  }
};

// Lock options for scripted tests: a 1 s TTL, 100 ms to acquire, and a
// fixed 10 ms between attempts so the number of attempts is exact.
inline LockOptions options() {
  LockOptions o;
  o.ttl = Millis(1000);
  o.acquire_timeout = Millis(100);
  o.retry_delay_min = Millis(10);
  o.retry_delay_max = Millis(10);
  return o;
}

inline Reply status_reply(std::string s) { Reply r; r.type = Reply::Type::kStatus; r.str = std::move(s); return r; }
inline Reply integer_reply(int64_t v) { Reply r; r.type = Reply::Type::kInteger; r.integer = v; return r; }
inline Reply string_reply(std::string s) { Reply r; r.type = Reply::Type::kString; r.str = std::move(s); return r; }
inline Reply nil_reply() { return Reply{}; }

}  // namespace lockcheck::testing

#endif  // LOCKCHECK_IMPL_TEST_ENV_H_
