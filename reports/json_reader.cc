#include "reports/json_reader.h"

#include <algorithm>

namespace lockcheck::reports {

using nlohmann::json;

Result<json> parse_json_text(std::string_view text, std::string_view origin) {
  json j;
  try {
    j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  } catch (const json::exception& e) {
    return Error{ErrorCode::kInvalidArgument, std::string(origin) + ": not valid JSON (" + e.what() + ")"};
  }
  if (j.is_discarded()) return Error{ErrorCode::kInvalidArgument, std::string(origin) + ": not valid JSON"};
  return j;
}

std::string show_json(const json& value) {
  std::string out = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (out.size() > 60) out = out.substr(0, 57) + "...";
  return out;
}

void JsonReader::only_keys(const json& obj, const std::string& where, std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : obj.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) fail(where, "unknown key " + show_json(key));
  }
}

const json& JsonReader::object(const json& obj, const std::string& where, const char* key) {
  static const json kEmpty = json::object();
  if (failed()) return kEmpty;
  if (!obj.contains(key) || !obj[key].is_object()) {
    fail(where + "." + key, "must be an object");
    return kEmpty;
  }
  return obj[key];
}

}  // namespace lockcheck::reports
