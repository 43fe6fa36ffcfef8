// Fuzz target: whatever a client can send one model::Node, and whatever its
// clock can read: command sequences over several connections (MULTI/EXEC,
// WATCH, EVAL with any Lua), clock jumps to the ends of int64, restarts and
// replication images (input language: node_input.h; dictionary of nasty
// scripts: dict/node_execute.dict). Every command must end with a reply
// that is valid RESP and within the node's bounds: no crash, no hang, no
// undefined behaviour.
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_limits.h"
#include "fuzz/fuzz_target.h"
#include "fuzz/node_input.h"
#include "model/node.h"
#include "model/text.h"

namespace {

using lockcheck::model::NodeWallMs;

struct Client {
  int64_t now_ms = 1'700'000'000'000;
  lockcheck::model::ConnId conn = 0;
};

void control(const std::vector<std::string>& record, lockcheck::model::Node& node, Client& client) {
  const std::string_view op = std::string_view(record[0]).substr(1);
  if (op == "tmin") {
    client.now_ms = INT64_MIN;
  } else if (op == "tmax") {
    client.now_ms = INT64_MAX;
  } else if (!op.empty() && op[0] == 't') {
    if (std::optional<int64_t> t = lockcheck::model::parse_int64(op.substr(1))) client.now_ms = *t;
  } else if (op.size() == 2 && op[0] == 'c' && op[1] >= '0' && op[1] <= '9') {
    client.conn = static_cast<lockcheck::model::ConnId>(op[1] - '0');
  } else if (op == "clear") {
    node.clear();
  } else if (op == "image" && record.size() > 1) {
    node.put_image(node.image_of(record[1]));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const lockcheck::model::NodeLimits limits = lockcheck::fuzz::fuzz_node_limits();
  lockcheck::model::Node node(limits);
  Client client;
  std::vector<lockcheck::model::Mutation> mutations;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  for (const std::vector<std::string>& record : lockcheck::fuzz::split_records(input)) {
    if (!record[0].empty() && record[0][0] == lockcheck::fuzz::kControl) {
      control(record, node, client);
      continue;
    }
    mutations.clear();
    const lockcheck::model::Reply reply =
        node.execute(record, NodeWallMs(std::chrono::milliseconds(client.now_ms)), &mutations, client.conn);
    const lockcheck::model::ReplySize reply_size = lockcheck::model::reply_size(reply);
    FUZZ_CHECK(reply_size.bytes <= limits.reply_bytes_max);
    FUZZ_CHECK(reply_size.elements <= limits.reply_elements_max);
    (void)lockcheck::model::encode_reply(reply);  // checks that status and error lines are one line
  }
  return 0;
}
