// Reply: one decoded Redis reply, and the RESP codec both worlds share.
//
// The hiredis backend gets redisReply objects from hiredis; the simulator
// gets RESP bytes from the modeled node and decodes them with hiredis's own
// redisReader. Both paths end in reply_from_hiredis(), so reply handling is
// one code path in both worlds.
#ifndef LOCKCHECK_IMPL_REPLY_H_
#define LOCKCHECK_IMPL_REPLY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "impl/result.h"

struct redisReply;
struct redisReader;

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

// Converts a hiredis reply tree. Never null.
Reply reply_from_hiredis(const redisReply* r);

// An error reply becomes Error{kRedisError, text}; anything else stays a Reply.
Result<Reply> reply_to_result(Reply reply);

// RESP2 encoding of a command: an array of bulk strings.
std::string encode_command(const std::vector<std::string>& argv);
// The same bytes, appended to `out` (one reservation, no temporaries): a
// caller that reuses `out` across commands allocates only when a command
// is longer than any before it.
void encode_command(const std::vector<std::string>& argv, std::string& out);

// Incremental RESP decoder (hiredis's redisReader). One per connection.
class ReplyReader {
 public:
  ReplyReader();
  ~ReplyReader();
  ReplyReader(const ReplyReader&) = delete;
  ReplyReader& operator=(const ReplyReader&) = delete;

  // Decodes exactly one complete reply from `bytes`. A truncated or malformed
  // input, or trailing bytes, is an Error{kProtocol}.
  Result<Reply> decode_one(std::string_view bytes);

 private:
  redisReader* reader_;
};

}  // namespace lockcheck

#endif  // LOCKCHECK_IMPL_REPLY_H_
