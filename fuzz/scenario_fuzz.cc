// Fuzz target: scenario files into the parser (`lockcheck replay FILE`).
// Bad input is a one-line error, never an exception or a crash; good input
// formats to a file that parses back and formats the same.
#include <string>
#include <string_view>

#include "chaos/scenario.h"
#include "fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  lockcheck::Result<lockcheck::chaos::Scenario> scenario = lockcheck::chaos::parse_scenario(text, "fuzz");
  if (!scenario.ok()) {
    FUZZ_CHECK(scenario.error().message.find('\n') == std::string::npos);
    return 0;
  }
  const std::string formatted = lockcheck::chaos::format_scenario(*scenario);
  lockcheck::Result<lockcheck::chaos::Scenario> again = lockcheck::chaos::parse_scenario(formatted, "formatted");
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(lockcheck::chaos::format_scenario(*again) == formatted);
  return 0;
}
