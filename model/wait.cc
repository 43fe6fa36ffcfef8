#include "model/wait.h"

#include "model/check.h"
#include "model/commands.h"
#include "model/text.h"

namespace lockcheck::model {

bool is_wait(const std::vector<std::string>& argv) { return !argv.empty() && equals_ignore_case(argv[0], "wait"); }

std::variant<WaitRequest, Reply> parse_wait(const std::vector<std::string>& argv) {
  MODEL_CHECK(is_wait(argv));
  if (argv.size() != 3) return Reply::error(wrong_arity_error("wait"));
  WaitRequest request;
  const std::optional<int64_t> numreplicas = parse_int64(argv[1]);
  if (!numreplicas) return Reply::error(kErrNotInteger);
  request.numreplicas = *numreplicas;
  // getTimeoutFromObjectOrReply(..., UNIT_MILLISECONDS).
  const std::optional<int64_t> timeout = parse_int64(argv[2]);
  if (!timeout) return Reply::error("ERR timeout is not an integer or out of range");
  if (*timeout < 0) return Reply::error("ERR timeout is negative");
  request.timeout_ms = *timeout;
  return request;
}

}  // namespace lockcheck::model
