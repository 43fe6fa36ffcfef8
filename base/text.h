// Small text helpers shared by every layer (impl/ and model/ included:
// base/ is below both and links nothing).
#ifndef LOCKCHECK_BASE_TEXT_H_
#define LOCKCHECK_BASE_TEXT_H_

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lockcheck {

// The items of a `separator`-separated list, empty ones included: "a,,b"
// is {"a", "", "b"}, "" is {""}. The views point into `text`.
std::vector<std::string_view> split_list(std::string_view text, char separator = ',');

// "(known: a, b, c)": the tail of an "unknown name" message.
std::string known_list(const std::vector<std::string_view>& names);

// The names of an enum's values, as files and the command line write them.
template <typename E>
struct Named {
  E value;
  std::string_view name;
};
// The name of `value` in `table` ("" when it has none).
template <typename E>
std::string_view name_of(std::span<const Named<E>> table, E value) {
  for (const auto& n : table) {
    if (n.value == value) return n.name;
  }
  return "";
}
// The value named `name` in `table`; nullopt for an unknown (or empty) name.
template <typename E>
std::optional<E> value_named(std::span<const Named<E>> table, std::string_view name) {
  for (const auto& n : table) {
    if (!n.name.empty() && n.name == name) return n.value;
  }
  return std::nullopt;
}

}  // namespace lockcheck

#endif  // LOCKCHECK_BASE_TEXT_H_
