// Small text helpers shared by every layer (impl/ and model/ included:
// base/ is below both and links nothing).
#ifndef LOCKCHECK_BASE_TEXT_H_
#define LOCKCHECK_BASE_TEXT_H_

#include <string>
#include <string_view>
#include <vector>

namespace lockcheck {

// The items of a `separator`-separated list, empty ones included: "a,,b"
// is {"a", "", "b"}, "" is {""}. The views point into `text`.
std::vector<std::string_view> split_list(std::string_view text, char separator = ',');

// "(known: a, b, c)": the tail of an "unknown name" message.
std::string known_list(const std::vector<std::string_view>& names);

}  // namespace lockcheck

#endif  // LOCKCHECK_BASE_TEXT_H_
