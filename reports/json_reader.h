// JsonReader: strict reading of the JSON files reports/ takes back
// (results.json, real-time counterexamples), keeping the first error. Once
// one is recorded every accessor returns a harmless default, so callers
// check failed() once per object rather than after every value. Each file's
// reader adds the value kinds its format has. Internal to reports/.
#ifndef LOCKCHECK_REPORTS_JSON_READER_H_
#define LOCKCHECK_REPORTS_JSON_READER_H_

#include <initializer_list>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "impl/result.h"

namespace lockcheck::reports {

// The parsing edge of every file reports/ reads: whatever the text,
// nlohmann's verdict becomes a value (allow_exceptions=false turns syntax
// errors and numbers like 1e999 into a discarded value; the catch is for
// the rest). Errors: "<origin>: not valid JSON".
Result<nlohmann::json> parse_json_text(std::string_view text, std::string_view origin);

// A value of the input as an error message shows it: JSON-escaped, so it
// stays on one line, and cut short.
std::string show_json(const nlohmann::json& value);

class JsonReader {
 public:
  // `origin` (a file name) starts every error message.
  explicit JsonReader(std::string origin) : origin_(std::move(origin)) {}

  bool failed() const { return !error_.empty(); }
  // The first error, as "<origin>: <where>: <what>". Only when failed().
  Error error() const { return Error{ErrorCode::kInvalidArgument, origin_ + ": " + error_}; }
  // Records an error unless one is recorded already.
  void fail(const std::string& where, const std::string& what) {
    if (error_.empty()) error_ = where + ": " + what;
  }

  // Every key of obj must be one of `known`: an unknown key is an error,
  // never ignored, as in scenario files.
  void only_keys(const nlohmann::json& obj, const std::string& where, std::initializer_list<std::string_view> known);

  // obj[key], which must be an object (else an error and an empty object).
  const nlohmann::json& object(const nlohmann::json& obj, const std::string& where, const char* key);

 private:
  std::string origin_;
  std::string error_;
};

}  // namespace lockcheck::reports

#endif  // LOCKCHECK_REPORTS_JSON_READER_H_
