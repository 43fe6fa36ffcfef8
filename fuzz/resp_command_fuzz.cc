// Fuzz target: raw bytes into the model's RESP command decoder (what a TCP
// client of the model would send), then the decoded command into a node.
// A decoded command must encode back to exactly the input bytes with the
// encoder the simulator's clients use: the wire format has one spelling.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_limits.h"
#include "fuzz/fuzz_target.h"
#include "impl/reply.h"
#include "model/node.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::optional<std::vector<std::string>> argv = lockcheck::model::parse_command(bytes);
  if (!argv) return 0;
  FUZZ_CHECK(lockcheck::encode_command(*argv) == bytes);
  lockcheck::model::Node node(lockcheck::fuzz::fuzz_node_limits());
  const lockcheck::model::Reply reply =
      node.execute(*argv, lockcheck::model::NodeWallMs(std::chrono::milliseconds(1'700'000'000'000)), nullptr);
  (void)lockcheck::model::encode_reply(reply);
  return 0;
}
