// Fuzz target: raw bytes into the client's reply decoding (hiredis's reader
// and reply_from_hiredis, the one path of both worlds), as a hostile or
// broken server would send them. Decoding either yields a Reply or a
// protocol error, and the reader is usable afterwards.
#include <string_view>

#include "fuzz/fuzz_target.h"
#include "redis/hiredis_reply.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lockcheck::ReplyReader reader;
  lockcheck::Result<lockcheck::Reply> reply =
      reader.decode_one(std::string_view(reinterpret_cast<const char*>(data), size));
  if (reply.ok()) {
    (void)reply->to_string();
    (void)lockcheck::reply_to_result(*reply);
  }
  lockcheck::Result<lockcheck::Reply> pong = reader.decode_one("+PONG\r\n");
  FUZZ_CHECK(pong.ok() && pong->is_status("PONG"));
  return 0;
}
