// model::Aof: one node's append-only file, reduced to what a crash can do
// to it. Records are whole-key images (KeyImage), one per key a command
// changed, stamped with the node's monotonic time in ms; the policy says
// which of them are on disk when the machine dies.
//
//   always    fsync before the reply goes out: every record is durable the
//             moment it is appended.
//   everysec  fsync at opened + k * 1 s of the node's monotonic clock
//             (k >= 1): a crash loses the records written since the last
//             fsync, at most one second of them. (Real Redis may postpone a
//             slow fsync to 2 s; the model keeps the ideal schedule.)
//   no        Redis never fsyncs; the kernel writes dirty pages back on its
//             own schedule. Linux writes back pages dirty for longer than
//             dirty_expire_centisecs = 3000, so the model flushes every 30 s:
//             a crash loses up to the last 30 s of writes.
//
// A crash here is the machine's (power loss, kernel panic): a process-only
// crash would leave written-but-unsynced data in the page cache. The
// schedule runs on the node's monotonic clock whether or not the process
// is paused (the kernel and Redis's fsync thread keep time; a paused
// process writes nothing new anyway).
//
// Pure: no clock, no I/O. Memory stays bounded by the number of keys plus
// the records of one flush window: records known to be durable fold into
// a base image per key (as an AOF rewrite would).
#ifndef LOCKCHECK_MODEL_AOF_H_
#define LOCKCHECK_MODEL_AOF_H_

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/node.h"

namespace lockcheck::model {

enum class FsyncPolicy { kAlways, kEverySec, kNo };

// "always" | "everysec" | "no" (Redis's appendfsync values); nullopt else.
std::optional<FsyncPolicy> parse_fsync_policy(std::string_view name);
std::string_view fsync_policy_name(FsyncPolicy policy);

class Aof {
 public:
  static constexpr int64_t kEverySecPeriodMs = 1'000;
  static constexpr int64_t kOsFlushPeriodMs = 30'000;  // policy `no`: see above
  // Records of one flush window; more is a runaway workload (programmer error).
  static constexpr size_t kPendingMax = 1'000'000;

  // A file opened (or reloaded at a restart) at node monotonic time
  // opened_ms, holding `durable` (existing keys; all on disk already).
  Aof(FsyncPolicy policy, int64_t opened_ms, const std::vector<KeyImage>& durable = {});

  FsyncPolicy policy() const { return policy_; }

  // Appends one record written at node monotonic time now_ms, which must
  // not be earlier than any earlier append nor than opened_ms.
  void append(const KeyImage& image, int64_t now_ms);

  // What a restart reads back after a crash at now_ms (>= the last append):
  // the durable records folded into one image per key, existing keys only,
  // ordered by key. Keys whose expiry has passed are still returned: the
  // restarted node judges expiry by its own clock, on read.
  std::vector<KeyImage> durable_at(int64_t now_ms) const;

  // Number of records a crash at now_ms would lose.
  size_t lost_at(int64_t now_ms) const;

  // Replaces the whole file by `snapshot` at now_ms, durable at once (a
  // replica rewrites its AOF after a full sync and fsyncs it before use).
  void rewrite(const std::vector<KeyImage>& snapshot, int64_t now_ms);

 private:
  struct Record {
    KeyImage image;
    int64_t at_ms;
  };
  // Records written strictly before this instant are on disk at now_ms.
  int64_t durable_before(int64_t now_ms) const;
  void fold(const KeyImage& image);

  FsyncPolicy policy_;
  int64_t opened_ms_;
  int64_t last_ms_;
  std::map<std::string, KeyImage> base_;  // durable, one image per existing key
  std::deque<Record> pending_;            // not yet known durable, in write order
};

}  // namespace lockcheck::model

#endif  // LOCKCHECK_MODEL_AOF_H_
