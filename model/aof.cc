#include "model/aof.h"

#include <limits>

#include "model/check.h"

namespace lockcheck::model {

std::optional<FsyncPolicy> parse_fsync_policy(std::string_view name) {
  if (name == "always") return FsyncPolicy::kAlways;
  if (name == "everysec") return FsyncPolicy::kEverySec;
  if (name == "no") return FsyncPolicy::kNo;
  return std::nullopt;
}

std::string_view fsync_policy_name(FsyncPolicy policy) {
  switch (policy) {
    case FsyncPolicy::kAlways: return "always";
    case FsyncPolicy::kEverySec: return "everysec";
    case FsyncPolicy::kNo: return "no";
  }
  return "?";
}

Aof::Aof(FsyncPolicy policy, int64_t opened_ms, const std::vector<KeyImage>& durable)
    : policy_(policy), opened_ms_(opened_ms), last_ms_(opened_ms) {
  for (const KeyImage& image : durable) fold(image);
}

int64_t Aof::durable_before(int64_t now_ms) const {
  MODEL_CHECK(now_ms >= opened_ms_);
  switch (policy_) {
    case FsyncPolicy::kAlways: return std::numeric_limits<int64_t>::max();
    case FsyncPolicy::kEverySec:
    case FsyncPolicy::kNo: {
      const int64_t period = policy_ == FsyncPolicy::kEverySec ? kEverySecPeriodMs : kOsFlushPeriodMs;
      // The last flush at or before now_ms; before the first one (k = 0)
      // this is opened_ms_, which no record precedes: nothing is durable.
      return opened_ms_ + (now_ms - opened_ms_) / period * period;
    }
  }
  MODEL_CHECK(false);
  return 0;
}

void Aof::fold(const KeyImage& image) {
  if (image.exists) {
    base_[image.key] = image;
  } else {
    base_.erase(image.key);
  }
}

void Aof::append(const KeyImage& image, int64_t now_ms) {
  MODEL_CHECK(now_ms >= last_ms_);
  last_ms_ = now_ms;
  // Whatever a flush has covered by now can no longer be lost: fold it.
  const int64_t before = durable_before(now_ms);
  while (!pending_.empty() && pending_.front().at_ms < before) {
    fold(pending_.front().image);
    pending_.pop_front();
  }
  if (policy_ == FsyncPolicy::kAlways) {
    fold(image);
    return;
  }
  MODEL_CHECK(pending_.size() < kPendingMax);
  pending_.push_back(Record{image, now_ms});
}

std::vector<KeyImage> Aof::durable_at(int64_t now_ms) const {
  MODEL_CHECK(now_ms >= last_ms_);
  const int64_t before = durable_before(now_ms);
  std::map<std::string, KeyImage> files = base_;
  for (const Record& r : pending_) {
    if (r.at_ms >= before) break;  // in write order: the rest is later still
    if (r.image.exists) {
      files[r.image.key] = r.image;
    } else {
      files.erase(r.image.key);
    }
  }
  std::vector<KeyImage> out;
  out.reserve(files.size());
  for (auto& [key, image] : files) out.push_back(std::move(image));
  return out;
}

size_t Aof::lost_at(int64_t now_ms) const {
  MODEL_CHECK(now_ms >= last_ms_);
  const int64_t before = durable_before(now_ms);
  size_t lost = 0;
  for (const Record& r : pending_) lost += r.at_ms >= before;
  return lost;
}

void Aof::rewrite(const std::vector<KeyImage>& snapshot, int64_t now_ms) {
  MODEL_CHECK(now_ms >= last_ms_);
  last_ms_ = now_ms;
  base_.clear();
  pending_.clear();
  for (const KeyImage& image : snapshot) fold(image);
}

}  // namespace lockcheck::model
