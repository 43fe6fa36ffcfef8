// model::Aof: what each appendfsync policy keeps through a crash, and
// model::parse_wait: WAIT's argument checks as Redis 7.0 replies them.
#include "model/aof.h"
#include "model/test_support.h"
#include "model/wait.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

namespace lockcheck::model {
namespace {

constexpr int64_t kOpenedMs = 5'000'123;  // an arbitrary monotonic reading

KeyImage str(const std::string& key, const std::string& value, std::optional<int64_t> expire = std::nullopt) {
  KeyImage image;
  image.key = key;
  image.exists = true;
  image.str = value;
  image.expire_unix_ms = expire;
  return image;
}

KeyImage deleted(const std::string& key) {
  KeyImage image;
  image.key = key;
  return image;
}

std::vector<std::string> keys_of(const std::vector<KeyImage>& images) {
  std::vector<std::string> out;
  for (const auto& i : images) out.push_back(i.key + "=" + i.str);
  return out;
}

using Keys = std::vector<std::string>;

TEST(FsyncPolicy, ParsesRedisNames) {
  EXPECT_EQ(parse_fsync_policy("always"), FsyncPolicy::kAlways);
  EXPECT_EQ(parse_fsync_policy("everysec"), FsyncPolicy::kEverySec);
  EXPECT_EQ(parse_fsync_policy("no"), FsyncPolicy::kNo);
  EXPECT_FALSE(parse_fsync_policy("none").has_value());  // "none" means no AOF at all, not a policy
  EXPECT_FALSE(parse_fsync_policy("Always").has_value());
  for (auto p : {FsyncPolicy::kAlways, FsyncPolicy::kEverySec, FsyncPolicy::kNo}) {
    EXPECT_EQ(parse_fsync_policy(fsync_policy_name(p)), p);
  }
}

TEST(Aof, AlwaysLosesNothing) {
  Aof aof(FsyncPolicy::kAlways, kOpenedMs);
  aof.append(str("a", "1"), kOpenedMs);
  aof.append(str("b", "2"), kOpenedMs + 10);
  aof.append(str("a", "3"), kOpenedMs + 11);
  EXPECT_EQ(aof.lost_at(kOpenedMs + 11), 0u);
  EXPECT_EQ(keys_of(aof.durable_at(kOpenedMs + 11)), (Keys{"a=3", "b=2"}));
}

TEST(Aof, EverySecLosesTheWritesSinceTheLastFsync) {
  Aof aof(FsyncPolicy::kEverySec, kOpenedMs);
  aof.append(str("old", "1"), kOpenedMs + 200);    // fsynced at +1000
  aof.append(str("mid", "2"), kOpenedMs + 999);    // fsynced at +1000
  aof.append(str("new", "3"), kOpenedMs + 1000);   // written at the fsync instant: the next one covers it
  aof.append(str("old", "4"), kOpenedMs + 1500);
  // A crash at +1999 loses what came after the fsync at +1000.
  EXPECT_EQ(keys_of(aof.durable_at(kOpenedMs + 1999)), (Keys{"mid=2", "old=1"}));
  EXPECT_EQ(aof.lost_at(kOpenedMs + 1999), 2u);
  // A crash at +2000 comes after the next fsync: everything is there.
  EXPECT_EQ(keys_of(aof.durable_at(kOpenedMs + 2000)), (Keys{"mid=2", "new=3", "old=4"}));
  EXPECT_EQ(aof.lost_at(kOpenedMs + 2000), 0u);
}

TEST(Aof, EverySecBeforeTheFirstFsyncLosesEverything) {
  Aof aof(FsyncPolicy::kEverySec, kOpenedMs, {str("loaded", "x")});
  aof.append(str("a", "1"), kOpenedMs);
  EXPECT_EQ(keys_of(aof.durable_at(kOpenedMs + 999)), (Keys{"loaded=x"}));
}

TEST(Aof, NoLosesUpToThirtySeconds) {
  Aof aof(FsyncPolicy::kNo, kOpenedMs);
  aof.append(str("a", "1"), kOpenedMs + 1'000);
  aof.append(str("b", "2"), kOpenedMs + 29'000);
  EXPECT_TRUE(aof.durable_at(kOpenedMs + 29'999).empty());
  EXPECT_EQ(aof.lost_at(kOpenedMs + 29'999), 2u);
  aof.append(str("c", "3"), kOpenedMs + 31'000);
  EXPECT_EQ(keys_of(aof.durable_at(kOpenedMs + 59'999)), (Keys{"a=1", "b=2"}));
  EXPECT_EQ(keys_of(aof.durable_at(kOpenedMs + 60'000)), (Keys{"a=1", "b=2", "c=3"}));
}

TEST(Aof, DeletionsAreRecordsToo) {
  Aof aof(FsyncPolicy::kEverySec, kOpenedMs);
  aof.append(str("lock", "t1"), kOpenedMs + 100);
  aof.append(deleted("lock"), kOpenedMs + 500);
  aof.append(str("lock", "t2"), kOpenedMs + 1100);
  aof.append(deleted("lock"), kOpenedMs + 2100);  // folds the first two: durable by now
  EXPECT_EQ(keys_of(aof.durable_at(kOpenedMs + 2100)), (Keys{"lock=t2"}));  // the DEL at 2100 is lost
  EXPECT_TRUE(aof.durable_at(kOpenedMs + 3000).empty());
}

TEST(Aof, KeepsAbsoluteExpiryForTheRestartToJudge) {
  Aof aof(FsyncPolicy::kAlways, kOpenedMs);
  aof.append(str("lock", "t", 1'795'000'001'000), kOpenedMs);
  const auto back = aof.durable_at(kOpenedMs + 5);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].expire_unix_ms, 1'795'000'001'000);
}

TEST(Aof, RewriteReplacesTheFileDurably) {
  Aof aof(FsyncPolicy::kNo, kOpenedMs);
  aof.append(str("a", "1"), kOpenedMs + 10);
  aof.rewrite({str("b", "2")}, kOpenedMs + 20);
  EXPECT_EQ(keys_of(aof.durable_at(kOpenedMs + 21)), (Keys{"b=2"}));
  EXPECT_EQ(aof.lost_at(kOpenedMs + 21), 0u);
}

TEST(Aof, ReloadedFileStartsANewFsyncSchedule) {
  Aof first(FsyncPolicy::kEverySec, kOpenedMs);
  first.append(str("a", "1"), kOpenedMs + 100);
  const int64_t restart_ms = kOpenedMs + 7'650;
  Aof second(FsyncPolicy::kEverySec, restart_ms, first.durable_at(restart_ms));
  second.append(str("b", "2"), restart_ms + 10);
  EXPECT_EQ(keys_of(second.durable_at(restart_ms + 999)), (Keys{"a=1"}));
  EXPECT_EQ(keys_of(second.durable_at(restart_ms + 1000)), (Keys{"a=1", "b=2"}));
}

Reply wait_error(std::vector<std::string> argv) {
  auto r = parse_wait(argv);
  EXPECT_TRUE(std::holds_alternative<Reply>(r));
  return std::holds_alternative<Reply>(r) ? std::get<Reply>(r) : Reply::nil();
}

TEST(Wait, ParsesLikeRedis) {
  EXPECT_TRUE(is_wait({"wait", "1", "0"}));
  EXPECT_TRUE(is_wait({"WAIT"}));
  EXPECT_FALSE(is_wait({"waitaof", "1", "1", "0"}));
  auto ok = parse_wait({"WAIT", "2", "150"});
  ASSERT_TRUE(std::holds_alternative<WaitRequest>(ok));
  EXPECT_EQ(std::get<WaitRequest>(ok).numreplicas, 2);
  EXPECT_EQ(std::get<WaitRequest>(ok).timeout_ms, 150);
  ASSERT_TRUE(std::holds_alternative<WaitRequest>(parse_wait({"wait", "-1", "0"})));
  // Texts as redis-server 7.0 sends them.
  EXPECT_EQ(wait_error({"wait", "1"}), Reply::error("ERR wrong number of arguments for 'wait' command"));
  EXPECT_EQ(wait_error({"wait", "x", "1"}), Reply::error("ERR value is not an integer or out of range"));
  EXPECT_EQ(wait_error({"wait", "1", "1.5"}), Reply::error("ERR timeout is not an integer or out of range"));
  EXPECT_EQ(wait_error({"wait", "1", "-1"}), Reply::error("ERR timeout is negative"));
}

}  // namespace
}  // namespace lockcheck::model
