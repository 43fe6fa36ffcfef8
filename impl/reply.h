// Reply: one decoded Redis reply, and the command encoding. Decoding
// (hiredis) is in hiredis_reply.h: the lock core does not need hiredis.
#ifndef LOCKCHECK_IMPL_REPLY_H_
#define LOCKCHECK_IMPL_REPLY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "impl/result.h"

namespace lockcheck {

struct Reply {
  enum class Type { kStatus, kError, kInteger, kString, kNil, kArray };
  Type type = Type::kNil;
  std::string str;         // kStatus, kError, kString
  int64_t integer = 0;     // kInteger
  std::vector<Reply> elements;  // kArray

  bool is_status(std::string_view s) const { return type == Type::kStatus && str == s; }
  bool is_nil() const { return type == Type::kNil; }
  bool is_integer(int64_t v) const { return type == Type::kInteger && integer == v; }
  // Human-readable, one line (for logs and counterexamples).
  std::string to_string() const;
};

// An error reply becomes Error{kRedisError, text}; anything else stays a Reply.
Result<Reply> reply_to_result(Reply reply);

// RESP2 encoding of a command: an array of bulk strings.
std::string encode_command(const std::vector<std::string>& argv);
// The same bytes, appended to `out` (one reservation, no temporaries): a
// caller that reuses `out` across commands allocates only when a command
// is longer than any before it.
void encode_command(const std::vector<std::string>& argv, std::string& out);

}  // namespace lockcheck

#endif  // LOCKCHECK_IMPL_REPLY_H_
