// The simulated client's reply decoder against hiredis's (ReplyReader):
// the same replies for what the modeled nodes send, and a refusal for
// bytes that are not one reply.
#include "sim/reply_decode.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model/node.h"
#include "redis/hiredis_reply.h"

namespace lockcheck::sim {
namespace {

void expect_same(const Reply& a, const Reply& b, const std::string& bytes) {
  EXPECT_EQ(a.type, b.type) << bytes;
  EXPECT_EQ(a.str, b.str) << bytes;
  EXPECT_EQ(a.integer, b.integer) << bytes;
  ASSERT_EQ(a.elements.size(), b.elements.size()) << bytes;
  for (size_t i = 0; i < a.elements.size(); ++i) expect_same(a.elements[i], b.elements[i], bytes);
}

TEST(DecodeReply, GivesWhatHiredisGivesForEveryKindANodeSends) {
  using model::Reply;
  const std::vector<Reply> replies = {
      Reply::status("OK"),
      Reply::status("QUEUED"),
      Reply::error("NOSCRIPT No matching script. Please use EVAL."),
      Reply::error("WRONGTYPE Operation against a key holding the wrong kind of value"),
      Reply::integer_reply(0),
      Reply::integer_reply(-9'223'372'036'854'775'807 - 1),
      Reply::integer_reply(9'223'372'036'854'775'807),
      Reply::bulk(""),
      Reply::bulk("0123456789abcdef0123456789abcdef"),
      Reply::bulk("with\r\nCRLF\r\n"),
      Reply::bulk(std::string(1000, 'x')),
      Reply::nil(),
      Reply::nil_array(),
      Reply::array({}),
      Reply::array({Reply::integer_reply(1), Reply::bulk("v"), Reply::nil(), Reply::status("OK")}),
      Reply::array({Reply::array({Reply::bulk("a"), Reply::integer_reply(2)}), Reply::array({}), Reply::nil_array()}),
  };
  ReplyReader hiredis;
  for (const Reply& r : replies) {
    const std::string bytes = model::encode_reply(r);
    auto ours = decode_reply(bytes);
    auto theirs = hiredis.decode_one(bytes);
    ASSERT_TRUE(ours.ok()) << bytes << ": " << ours.error().message;
    ASSERT_TRUE(theirs.ok()) << bytes;
    expect_same(*ours, *theirs, bytes);
  }
}

TEST(DecodeReply, RefusesWhatIsNotExactlyOneReply) {
  ReplyReader hiredis;
  for (const char* bytes : {"", "+OK", "+OK\r\n+OK\r\n", "$5\r\nab", "$5\r\nabcdefg\r\n", "$2\r\nabXY", "?what\r\n",
                            "*2\r\n:1\r\n", "*2147483647\r\n", "*1\r\n*4294967295\r\n", ":12x\r\n", ":\r\n",
                            "$x\r\nab\r\n"}) {
    auto ours = decode_reply(bytes);
    ASSERT_FALSE(ours.ok()) << bytes;
    EXPECT_EQ(ours.error().code, ErrorCode::kProtocol) << bytes;
  }
  // Too deep: hiredis refuses nesting past its own bound too.
  std::string deep;
  for (int i = 0; i <= kReplyNestingMax; ++i) deep += "*1\r\n";
  deep += ":1\r\n";
  EXPECT_FALSE(decode_reply(deep).ok());
}

}  // namespace
}  // namespace lockcheck::sim
