#include "model/keyspace.h"

#include "model/check.h"

namespace lockcheck::model {
namespace {

bool expired(const Entry& e, int64_t now_ms) { return e.expire_ms && *e.expire_ms <= now_ms; }

// Per key: the map node, the Entry, the expiry (Redis's dictEntry and
// robj cost about as much).
constexpr size_t kKeyOverheadBytes = 64;
// Per hash field: its order entry and map node.
constexpr size_t kFieldOverheadBytes = 48;

}  // namespace

size_t entry_bytes(const std::string& key, const Entry& e) {
  return kKeyOverheadBytes + key.size() + (e.is_hash ? e.hash_bytes : e.str.size());
}

void Keyspace::put(const std::string& key, Entry entry) {
  auto it = entries_.find(key);
  if (it != entries_.end()) forget(it->second);
  entry.accounted_bytes = entry_bytes(key, entry);
  data_bytes_ += entry.accounted_bytes;
  entries_[key] = std::move(entry);
}

void Keyspace::account(const std::string& key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  forget(it->second);
  it->second.accounted_bytes = entry_bytes(key, it->second);
  data_bytes_ += it->second.accounted_bytes;
}

void Keyspace::drop(std::map<std::string, Entry>::iterator it) {
  forget(it->second);
  if (spare_.size() < kSpareNodesMax) {
    spare_.push_back(entries_.extract(it));
  } else {
    entries_.erase(it);
  }
}

Entry* Keyspace::find(const std::string& key, int64_t now_ms) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return nullptr;
  if (expired(it->second, now_ms)) {
    if (expired_sink_) expired_sink_->push_back(key);
    drop(it);
    return nullptr;
  }
  return &it->second;
}

Entry& Keyspace::insert(const std::string& key) {
  if (spare_.empty()) {
    auto [it, inserted] = entries_.try_emplace(key);
    MODEL_CHECK(inserted);
    return it->second;
  }
  std::map<std::string, Entry>::node_type node = std::move(spare_.back());
  spare_.pop_back();
  node.key().assign(key);
  // A fresh Entry, but for the value string's buffer.
  std::string str = std::move(node.mapped().str);
  str.clear();
  node.mapped() = Entry{};
  node.mapped().str = std::move(str);
  auto result = entries_.insert(std::move(node));
  MODEL_CHECK(result.inserted);
  return result.position->second;
}

const Entry* Keyspace::peek(const std::string& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

bool Keyspace::erase(const std::string& key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return false;
  drop(it);
  return true;
}

void Keyspace::purge_expired(int64_t now_ms) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (expired(it->second, now_ms)) {
      if (expired_sink_) expired_sink_->push_back(it->first);
      drop(it++);
    } else {
      ++it;
    }
  }
}

bool hash_set(Entry& e, const std::string& field, const std::string& value) {
  auto it = e.hash.find(field);
  if (it != e.hash.end()) e.hash_bytes -= it->second.size();
  const bool created = e.hash.insert_or_assign(field, value).second;
  e.hash_bytes += value.size() + (created ? field.size() + kFieldOverheadBytes : 0);
  if (created) e.hash_order.push_back(field);
  MODEL_CHECK(e.hash.size() == e.hash_order.size());
  return created;
}

bool hash_erase(Entry& e, const std::string& field) {
  auto it = e.hash.find(field);
  if (it == e.hash.end()) return false;
  e.hash_bytes -= field.size() + it->second.size() + kFieldOverheadBytes;
  e.hash.erase(it);
  std::erase(e.hash_order, field);
  MODEL_CHECK(e.hash.size() == e.hash_order.size());
  return true;
}

size_t Keyspace::live_count(int64_t now_ms) const {
  size_t n = 0;
  for (const auto& [key, entry] : entries_) {
    if (!expired(entry, now_ms)) ++n;
  }
  return n;
}

std::optional<KeyState> Keyspace::state_of(const std::string& key, int64_t now_ms) {
  const Entry* e = find(key, now_ms);
  if (!e) return std::nullopt;
  return KeyState{render_value(*e), e->expire_ms};
}

std::string render_value(const Entry& entry) {
  if (!entry.is_hash) return entry.str;
  std::string out;
  for (const auto& [field, value] : entry.hash) {
    if (!out.empty()) out += ';';
    out += field;
    out += '=';
    out += value;
  }
  return out;
}

void record_change(Keyspace& keys, const std::string& key, int64_t now_ms,
                   std::optional<KeyState>&& before, std::vector<Mutation>* out) {
  std::optional<KeyState> after = keys.state_of(key, now_ms);
  if (before == after || out == nullptr) return;
  Mutation m;
  m.key = key;
  if (before) m.before = std::move(before->value);
  if (after) {
    m.after = std::move(after->value);
    m.after_expire_unix_ms = after->expire_ms;
  }
  out->push_back(std::move(m));
}

}  // namespace lockcheck::model
