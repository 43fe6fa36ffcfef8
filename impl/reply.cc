#include "impl/reply.h"

#include <charconv>
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

namespace {

// Appends "<prefix><n>\r\n" without a temporary string.
void append_header(std::string& out, char prefix, size_t n) {
  char digits[24];
  const std::to_chars_result r = std::to_chars(digits, digits + sizeof(digits), n);
  out += prefix;
  out.append(digits, r.ptr);
  out += "\r\n";
}

size_t decimal_digits(size_t n) {
  size_t digits = 1;
  while (n >= 10) {
    n /= 10;
    ++digits;
  }
  return digits;
}

}  // namespace

void encode_command(const std::vector<std::string>& argv, std::string& out) {
  // One reservation for the whole command, so appending never regrows.
  size_t size = 1 + decimal_digits(argv.size()) + 2;
  for (const auto& a : argv) size += 1 + decimal_digits(a.size()) + 2 + a.size() + 2;
  out.reserve(out.size() + size);
  append_header(out, '*', argv.size());
  for (const auto& a : argv) {
    append_header(out, '$', a.size());
    out += a;
    out += "\r\n";
  }
}

std::string encode_command(const std::vector<std::string>& argv) {
  std::string out;
  encode_command(argv, out);
  return out;
}

}  // namespace lockcheck
