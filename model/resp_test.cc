// RESP2 encoding of replies and parsing of client commands.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model/node.h"
#include "model/test_support.h"

namespace lockcheck::model {
namespace {

std::string encode_command(const std::vector<std::string>& argv) {
  std::string out = "*" + std::to_string(argv.size()) + "\r\n";
  for (const std::string& a : argv) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

TEST(RespTest, EncodesEveryReplyType) {
  EXPECT_EQ(encode_reply(Reply::status("OK")), "+OK\r\n");
  EXPECT_EQ(encode_reply(Reply::error("ERR syntax error")), "-ERR syntax error\r\n");
  EXPECT_EQ(encode_reply(Reply::integer_reply(-42)), ":-42\r\n");
  EXPECT_EQ(encode_reply(Reply::bulk("a\r\nb")), "$4\r\na\r\nb\r\n");
  EXPECT_EQ(encode_reply(Reply::bulk("")), "$0\r\n\r\n");
  EXPECT_EQ(encode_reply(Reply::nil()), "$-1\r\n");
  EXPECT_EQ(encode_reply(Reply::array({})), "*0\r\n");
  EXPECT_EQ(encode_reply(Reply::array({Reply::integer_reply(1),
                                       Reply::array({Reply::integer_reply(1), Reply::nil()}),
                                       Reply::bulk("x")})),
            "*3\r\n:1\r\n*2\r\n:1\r\n$-1\r\n$1\r\nx\r\n");
}

TEST(RespTest, EncodeAppendsToTheCallersBuffer) {
  const Reply reply = Reply::array({Reply::integer_reply(-7), Reply::bulk("val"), Reply::nil()});
  std::string out = "+OK\r\n";
  encode_reply(reply, out);
  EXPECT_EQ(out, "+OK\r\n" + encode_reply(reply));
  EXPECT_EQ(encode_reply(reply), "*3\r\n:-7\r\n$3\r\nval\r\n$-1\r\n");
  out.clear();
  encode_reply(Reply::integer_reply(INT64_MIN), out);
  EXPECT_EQ(out, ":-9223372036854775808\r\n");
}

TEST(RespTest, ParseRoundTrips) {
  const std::vector<std::vector<std::string>> cases = {
      {"PING"},
      {"SET", "k", "v", "PX", "30000", "NX"},
      {"EVAL", "line1\r\nline2\n", "1", "key", ""},
      {std::string("bin\0ary", 7), std::string(1000, 'z')},
  };
  for (const auto& argv : cases) {
    const std::optional<std::vector<std::string>> parsed = parse_command(encode_command(argv));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, argv);
  }
}

TEST(RespTest, ParseIntoReusesTheCallersArgv) {
  std::vector<std::string> argv = {"stale", "elements", "from", "before"};
  ASSERT_TRUE(parse_command(encode_command({"GET", "k"}), argv));
  EXPECT_EQ(argv, (std::vector<std::string>{"GET", "k"}));
  ASSERT_TRUE(parse_command(encode_command({"SET", "key", "value", "NX"}), argv));
  EXPECT_EQ(argv, (std::vector<std::string>{"SET", "key", "value", "NX"}));
  EXPECT_FALSE(parse_command("*1\r\n$3\r\nabcd\r\n", argv));
}

TEST(RespTest, AnElementCountTheBytesCannotHoldIsRejectedBeforeAllocating) {
  // Each element takes at least 6 bytes ("$0\r\n\r\n"): 2 elements need 12.
  std::vector<std::string> argv;
  EXPECT_FALSE(parse_command("*2\r\n$0\r\n\r\n", argv));
  EXPECT_EQ(argv.capacity(), 0u) << "nothing was allocated for the promised elements";
  EXPECT_FALSE(parse_command("*1048576\r\n$4\r\nPING\r\n", argv));
  EXPECT_EQ(argv.capacity(), 0u);
  EXPECT_TRUE(parse_command("*2\r\n$0\r\n\r\n$0\r\n\r\n", argv));
  EXPECT_EQ(argv, (std::vector<std::string>{"", ""}));
}

TEST(RespTest, RejectsMalformedInput) {
  const std::string good = encode_command({"SET", "k", "v"});
  // Every strict prefix is truncated, hence rejected.
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(parse_command(good.substr(0, n)).has_value()) << n;
  }
  const std::vector<std::string> bad = {
      good + "x",                          // trailing bytes
      good + good,                         // two commands
      "*0\r\n",                            // no command name
      "*-1\r\n",                           // null array
      "*1\r\n$-1\r\n",                     // null bulk
      "*1\r\n$3\r\nabcd\r\n",              // length lies (too short)
      "*1\r\n$5\r\nabc\r\n",               // length lies (too long)
      "*1\r\n$3\r\nabcXY",                 // missing CRLF after data
      "*1\r\n+PING\r\n",                   // not a bulk string
      "PING\r\n",                          // inline commands are not RESP arrays
      "*1\n$4\r\nPING\r\n",                // bare LF
      "*+1\r\n$4\r\nPING\r\n",             // sign
      "*01\r\n$4\r\nPING\r\n",             // leading zero
      "*1\r\n$ 4\r\nPING\r\n",             // space
      "*2\r\n$4\r\nPING\r\n",              // fewer elements than announced
      "*1\r\n$99999999999\r\nPING\r\n",    // huge length, no data
      "*99999999999999999999\r\n",         // overflow
      "*1\r\r\n$4\r\nPING\r\n",             // CR inside a header
      "*1\r\n$4\rx\nPING\r\n",              // CR not followed by LF
  };
  for (const std::string& b : bad) EXPECT_FALSE(parse_command(b).has_value()) << b;
}

}  // namespace
}  // namespace lockcheck::model
