// Test-only: an Env whose one node is a model::Node, with no network and
// no faults, so only a strategy's logic and the node's semantics are on
// trial. Each call takes 1 ms; commands travel as RESP bytes both ways.
#ifndef LOCKCHECK_TESTS_MODEL_ENV_H_
#define LOCKCHECK_TESTS_MODEL_ENV_H_

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "impl/env.h"
#include "redis/hiredis_reply.h"
#include "model/node.h"

namespace lockcheck::testing {

class ModelEnv : public Env {
 public:
  model::Node node;
  std::vector<std::vector<std::string>> sent;
  MonoInstant mono{};

  MonoInstant mono_now() override { return mono; }
  WallInstant wall_now() override { return WallInstant{} + mono.time_since_epoch(); }
  Task<void> sleep(Nanos d) override {
    mono += d;
    co_return;
  }
  uint64_t random_u64() override { return ++random_; }
  size_t node_count() const override { return 1; }
  Task<Result<Reply>> call(size_t node_index, std::vector<std::string> argv) override {
    EXPECT_EQ(node_index, 0u);
    sent.push_back(argv);
    mono += Millis(1);
    const auto parsed = model::parse_command(encode_command(argv));
    EXPECT_TRUE(parsed.has_value());
    const int64_t now_ms = 1'700'000'000'000 + std::chrono::duration_cast<Millis>(mono.time_since_epoch()).count();
    const model::Reply r = node.execute(*parsed, model::NodeWallMs(Millis(now_ms)), nullptr);
    Result<Reply> decoded = reader_.decode_one(model::encode_reply(r));
    if (!decoded.ok()) co_return decoded.error();
    co_return reply_to_result(std::move(decoded).value());
  }

  std::string get(const std::string& key) {
    const model::Reply r = node.execute({"GET", key}, model::NodeWallMs(Millis(1'700'000'000'000)), nullptr);
    return r.type == model::Reply::Type::kBulk ? r.str : "<none>";
  }

 private:
  uint64_t random_ = 0;
  ReplyReader reader_;
};

}  // namespace lockcheck::testing

#endif  // LOCKCHECK_TESTS_MODEL_ENV_H_
