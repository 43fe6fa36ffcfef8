// Decoding Redis replies with hiredis, the one path of both worlds: the
// hiredis backend gets redisReply objects from hiredis; the simulator gets
// RESP bytes from the modeled node and decodes them with hiredis's own
// redisReader. Both end in reply_from_hiredis(), so reply handling is one
// code path in both worlds.
#ifndef LOCKCHECK_REDIS_HIREDIS_REPLY_H_
#define LOCKCHECK_REDIS_HIREDIS_REPLY_H_

#include <string_view>

#include "impl/reply.h"
#include "impl/result.h"

struct redisReply;
struct redisReader;

namespace lockcheck {

// Converts a hiredis reply tree. Never null.
Reply reply_from_hiredis(const redisReply* r);

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

#endif  // LOCKCHECK_REDIS_HIREDIS_REPLY_H_
