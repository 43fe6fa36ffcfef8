#include "impl/reply.h"

#include <string>

namespace lockcheck {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kTimeout: return "timeout";
    case ErrorCode::kConnectionLost: return "connection lost";
    case ErrorCode::kRedisError: return "redis error";
    case ErrorCode::kProtocol: return "protocol error";
    case ErrorCode::kNotHeld: return "not held";
    case ErrorCode::kAcquireTimeout: return "acquire timeout";
    case ErrorCode::kInvalidArgument: return "invalid argument";
    case ErrorCode::kOutcomeUnknown: return "outcome unknown";
  }
  return "unknown";
}

std::string Reply::to_string() const {
  switch (type) {
    case Type::kStatus: return "+" + str;
    case Type::kError: return "-" + str;
    case Type::kInteger: return ":" + std::to_string(integer);
    case Type::kString: return "\"" + str + "\"";
    case Type::kNil: return "(nil)";
    case Type::kArray: {
      std::string out = "[";
      for (size_t i = 0; i < elements.size(); ++i) {
        if (i) out += ", ";
        out += elements[i].to_string();
      }
      return out + "]";
    }
  }
  return "?";
}

Result<Reply> reply_to_result(Reply reply) {
  if (reply.type == Reply::Type::kError) return Error{ErrorCode::kRedisError, std::move(reply.str)};
  return reply;
}

std::string encode_command(const std::vector<std::string>& argv) {
  std::string out = "*" + std::to_string(argv.size()) + "\r\n";
  for (const auto& a : argv) {
    out += "$" + std::to_string(a.size()) + "\r\n";
    out += a;
    out += "\r\n";
  }
  return out;
}

}  // namespace lockcheck
