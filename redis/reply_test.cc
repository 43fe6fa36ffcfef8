#include "redis/hiredis_reply.h"

#include <gtest/gtest.h>

namespace lockcheck {
namespace {

TEST(EncodeCommand, BulkStringsWithExactLengths) {
  EXPECT_EQ(encode_command({"SET", "k", "v\r\n"}), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nv\r\n\r\n");
  EXPECT_EQ(encode_command({""}), "*1\r\n$0\r\n\r\n");
}

TEST(EncodeCommand, AppendsToTheCallersBuffer) {
  std::string out = "*1\r\n$4\r\nPING\r\n";
  encode_command({"GET", std::string(12, 'k')}, out);
  EXPECT_EQ(out, "*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$12\r\nkkkkkkkkkkkk\r\n");
  // The reservation is exact: a reused buffer that held a command as long
  // needs no new allocation.
  std::string reused;
  encode_command({"SET", "k", std::string(100, 'v')}, reused);
  const char* buffer = reused.data();
  reused.clear();
  encode_command({"SET", "k", std::string(100, 'w')}, reused);
  EXPECT_EQ(reused.data(), buffer);
  EXPECT_EQ(reused, encode_command({"SET", "k", std::string(100, 'w')}));
}

TEST(ReplyReader, DecodesEveryType) {
  ReplyReader r;
  auto s = r.decode_one("+OK\r\n");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->is_status("OK"));
  auto e = r.decode_one("-ERR bad\r\n");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->type, Reply::Type::kError);
  EXPECT_EQ(e->str, "ERR bad");
  auto i = r.decode_one(":-42\r\n");
  ASSERT_TRUE(i.ok());
  EXPECT_TRUE(i->is_integer(-42));
  auto n = r.decode_one("$-1\r\n");
  ASSERT_TRUE(n.ok());
  EXPECT_TRUE(n->is_nil());
  auto a = r.decode_one("*2\r\n$2\r\nab\r\n:1\r\n");
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->elements.size(), 2u);
  EXPECT_EQ(a->elements[0].str, "ab");
  EXPECT_EQ(a->to_string(), "[\"ab\", :1]");
}

TEST(ReplyReader, RejectsTruncatedTrailingAndMalformed) {
  ReplyReader r;
  EXPECT_FALSE(r.decode_one("$5\r\nab").ok());
  EXPECT_FALSE(r.decode_one("+OK\r\n+OK\r\n").ok());
  EXPECT_FALSE(r.decode_one("?what\r\n").ok());
  // The reader recovers after each failure.
  auto ok = r.decode_one(":7\r\n");
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->is_integer(7));
}

// hiredis 0.14 callocs an array's promised size before its elements
// arrive: a header alone must not ask for gigabytes (ASan aborts on it).
TEST(ReplyReader, RefusesHeadersThatPromiseMoreThanTheBytesHold) {
  ReplyReader r;
  for (const char* bytes : {"*2147483647\r\n", "*3\r\n:1\r\n", "*1\r\n*4294967295\r\n", "$99\r\nabc\r\n"}) {
    auto got = r.decode_one(bytes);
    ASSERT_FALSE(got.ok()) << bytes;
    EXPECT_EQ(got.error().code, ErrorCode::kProtocol) << bytes;
  }
  // Bulk strings holding CRLF and nested arrays still decode.
  auto ok = r.decode_one("*2\r\n$4\r\n\r\n\r\n\r\n*1\r\n:7\r\n");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->elements.size(), 2u);
}

TEST(ReplyToResult, ErrorReplyBecomesErrorValue) {
  Reply e;
  e.type = Reply::Type::kError;
  e.str = "NOSCRIPT No matching script.";
  auto r = reply_to_result(e);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kRedisError);
  EXPECT_EQ(r.error().message, "NOSCRIPT No matching script.");
  EXPECT_FALSE(r.error().outcome_unknown());
}

}  // namespace
}  // namespace lockcheck
