#include "sim/key_changes.h"

#include <optional>

namespace lockcheck::sim {

std::string render(const model::KeyImage& image) {
  if (!image.is_hash) return image.str;
  std::string out;
  for (const auto& [field, value] : image.hash) {
    if (!out.empty()) out += ';';
    out += field;
    out += '=';
    out += value;
  }
  return out;
}

bool live(const model::KeyImage& image, int64_t wall_ms) {
  return image.exists && (!image.expire_unix_ms || *image.expire_unix_ms > wall_ms);
}

Event mutation_event(int client, Op op, int node, model::Mutation mutation, int64_t wall_ms) {
  Event e;
  e.kind = EventKind::kMutation;
  e.client = client;
  e.op = op;
  e.node = node;
  e.key = std::move(mutation.key);
  e.before = std::move(mutation.before);
  e.after = std::move(mutation.after);
  e.after_expire_unix_ms = mutation.after_expire_unix_ms;
  e.node_wall_unix_ms = wall_ms;
  return e;
}

std::vector<Event> key_changes(int node, const std::set<std::string>& keys,
                                    const std::map<std::string, model::KeyImage>& before, int64_t before_wall_ms,
                                    const std::map<std::string, model::KeyImage>& after, int64_t after_wall_ms,
                                    const std::string& why) {
  std::vector<Event> out;
  for (const std::string& key : keys) {
    auto b = before.find(key);
    auto a = after.find(key);
    std::optional<std::string> was, is;
    std::optional<int64_t> was_expire, is_expire;
    if (b != before.end() && live(b->second, before_wall_ms)) {
      was = render(b->second);
      was_expire = b->second.expire_unix_ms;
    }
    if (a != after.end() && live(a->second, after_wall_ms)) {
      is = render(a->second);
      is_expire = a->second.expire_unix_ms;
    }
    if (was == is && was_expire == is_expire) continue;
    Event e;
    e.kind = EventKind::kMutation;
    e.node = node;
    e.key = key;
    e.before = was;
    e.after = is;
    e.after_expire_unix_ms = is ? is_expire : std::nullopt;
    e.node_wall_unix_ms = after_wall_ms;
    e.detail = why;
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace lockcheck::sim
