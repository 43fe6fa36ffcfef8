// decode_reply: the simulated client's RESP2 reply decoder. The modeled
// nodes answer in RESP bytes (model::encode_reply); a simulated client
// decodes one reply per call. hiredis's redisReader (redis/hiredis_reply.h)
// did this with a heap object per reply and per string in it; this one
// decodes straight into a Reply. It gives what ReplyReader::decode_one
// gives, byte for byte (reply_decode_test.cc checks the two side by side),
// so lock code sees the same replies in both worlds. Internal to sim/.
#ifndef LOCKCHECK_SIM_REPLY_DECODE_H_
#define LOCKCHECK_SIM_REPLY_DECODE_H_

#include <string_view>

#include "impl/reply.h"
#include "impl/result.h"

namespace lockcheck::sim {

// Arrays nest at most this deep (EXEC's reply of arrays is two).
constexpr int kReplyNestingMax = 8;

// Decodes exactly one complete RESP2 reply from `bytes`. A truncated or
// malformed input, or trailing bytes, is an Error{kProtocol}. A null array
// (*-1) is a nil, as hiredis has it.
Result<Reply> decode_reply(std::string_view bytes);

}  // namespace lockcheck::sim

#endif  // LOCKCHECK_SIM_REPLY_DECODE_H_
