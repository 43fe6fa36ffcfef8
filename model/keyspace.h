// The keyspace of one modeled Redis node: ordered map of key -> value with
// optional absolute expiry (unix ms), judged against the `now` the caller
// passes. Ordered containers only: iteration order must not depend on
// hashing or addresses (determinism).
#ifndef LOCKCHECK_MODEL_KEYSPACE_H_
#define LOCKCHECK_MODEL_KEYSPACE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/node.h"

namespace lockcheck::model {

struct Entry {
  bool is_hash = false;
  std::string str;                          // when !is_hash
  std::map<std::string, std::string> hash;  // when is_hash; never empty
  // The hash's fields in insertion order: HGETALL's order on a real Redis
  // for a small hash (a listpack). Same fields as `hash`; change both only
  // through hash_set / hash_erase.
  std::vector<std::string> hash_order;
  std::optional<int64_t> expire_ms;         // absolute unix ms; nullopt = persistent
  // Bytes of the hash's fields and values (kept by hash_set / hash_erase).
  size_t hash_bytes = 0;
  // What Keyspace::data_bytes() counts for this entry (Keyspace's own).
  size_t accounted_bytes = 0;
};

// The data bytes an entry stands for in NodeLimits::data_bytes_max: its
// key, its value (or fields and values) and a fixed overhead per key.
size_t entry_bytes(const std::string& key, const Entry& e);

// Sets `field` of a hash entry; true if the field is new (appended to the
// order, as a listpack appends), false if an existing value was replaced
// in place.
bool hash_set(Entry& e, const std::string& field, const std::string& value);

// Removes `field`; true if it was there.
bool hash_erase(Entry& e, const std::string& field);

// What the history sees of one key: its rendered value and expiry.
struct KeyState {
  std::string value;
  std::optional<int64_t> expire_ms;
  bool operator==(const KeyState&) const = default;
};

class Keyspace {
 public:
  // The live entry, or null. A key whose expiry <= now is absent; it is
  // purged on the way, as Redis expires lazily on access.
  Entry* find(const std::string& key, int64_t now_ms);

  // The stored entry whatever its expiry, or null. Never purges.
  const Entry* peek(const std::string& key) const;

  // Stores `entry` under `key`, replacing what was there.
  void put(const std::string& key, Entry entry);

  // Inserts a fresh entry; the key must be absent (programmer error else).
  Entry& insert(const std::string& key);

  // Removes the key if present (live or not). True if something was removed.
  bool erase(const std::string& key);

  // Drops every key whose expiry has passed.
  void purge_expired(int64_t now_ms);

  size_t stored_count() const { return entries_.size(); }
  size_t live_count(int64_t now_ms) const;
  void clear() {
    entries_.clear();
    data_bytes_ = 0;
  }

  // The entry_bytes() of every stored key, as of each key's last account().
  size_t data_bytes() const { return data_bytes_; }
  // Re-counts `key` after a command changed its entry in place (a no-op
  // for an absent key: erasing already un-counted it).
  void account(const std::string& key);

  // Every key find() or purge_expired() drops because its time ran out is
  // appended to *sink (may be null), so the node can signal WATCHers as
  // Redis does when it deletes an expired key. The sink must outlive this.
  void set_expired_sink(std::vector<std::string>* sink) { expired_sink_ = sink; }

  // Snapshot of a key for the history; nullopt when absent at `now`.
  std::optional<KeyState> state_of(const std::string& key, int64_t now_ms);

 private:
  // Un-counts an entry about to be dropped.
  void forget(const Entry& e) { data_bytes_ -= e.accounted_bytes; }

  // Drops the entry at `it`, keeping its map node (and the capacity of its
  // key and value strings) for the next insert: a lock key is deleted and
  // set again all the time.
  void drop(std::map<std::string, Entry>::iterator it);

  std::map<std::string, Entry> entries_;
  // Nodes of dropped entries, at most kSpareNodesMax.
  static constexpr size_t kSpareNodesMax = 8;
  std::vector<std::map<std::string, Entry>::node_type> spare_;
  size_t data_bytes_ = 0;
  std::vector<std::string>* expired_sink_ = nullptr;
};

// Canonical text of a value for Mutation: strings as-is, hashes as
// "f1=v1;f2=v2" with fields sorted.
std::string render_value(const Entry& entry);

// Appends a Mutation for `key` to *out (if out is not null) when its state
// differs from `before`.
// `before` is consumed (its value moves into the Mutation).
void record_change(Keyspace& keys, const std::string& key, int64_t now_ms,
                   std::optional<KeyState>&& before, std::vector<Mutation>* out);

}  // namespace lockcheck::model

#endif  // LOCKCHECK_MODEL_KEYSPACE_H_
