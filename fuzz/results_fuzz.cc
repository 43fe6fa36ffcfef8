// Fuzz target: results.json files into `lockcheck report` (parse, merge,
// render). Bad input is a one-line error, never an exception or a crash;
// good input renders, and its results.json parses back to the same text.
#include <string>
#include <string_view>

#include "fuzz/fuzz_target.h"
#include "reports/report.h"
#include "reports/results_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto cells = lockcheck::reports::parse_results(text, "fuzz");
  if (!cells.ok()) {
    FUZZ_CHECK(cells.error().message.find('\n') == std::string::npos);
    return 0;
  }
  (void)lockcheck::reports::matrix_text(*cells);
  // Merging may refuse (overlapping shards): a value, never a crash.
  if (auto merged = lockcheck::reports::merge_cells(*cells); merged.ok()) {
    (void)lockcheck::reports::matrix_text(*merged);
  } else {
    FUZZ_CHECK(merged.error().message.find('\n') == std::string::npos);
  }
  const std::string json = lockcheck::reports::results_json(*cells);
  auto again = lockcheck::reports::parse_results(json, "written");
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(lockcheck::reports::results_json(*again) == json);
  return 0;
}
