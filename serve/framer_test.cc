#include "serve/framer.h"

#include <gtest/gtest.h>

namespace lockcheck::serve {
namespace {

using Kind = Frame::Kind;

TEST(Framer, OneCommandAndWhatItConsumed) {
  const std::string bytes = "*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n*1\r\n$4\r\nPING\r\n";
  const Frame f = next_frame(bytes);
  ASSERT_EQ(f.kind, Kind::kCommand);
  EXPECT_EQ(f.argv, (std::vector<std::string>{"ECHO", "hi"}));
  EXPECT_EQ(f.consumed, 22u);
  const Frame g = next_frame(std::string_view(bytes).substr(f.consumed));
  ASSERT_EQ(g.kind, Kind::kCommand);
  EXPECT_EQ(g.argv, (std::vector<std::string>{"PING"}));
}

// Catches: a framer that reads a command before all of it has arrived.
TEST(Framer, EveryPrefixNeedsMore) {
  const std::string bytes = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nv\r\nxy\r\n";
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_EQ(next_frame(bytes.substr(0, n)).kind, Kind::kNeedMore) << n;
  }
  const Frame f = next_frame(bytes);
  ASSERT_EQ(f.kind, Kind::kCommand);
  EXPECT_EQ(f.argv[2], "v\r\nxy");  // binary-safe
}

TEST(Framer, InlineCommands) {
  Frame f = next_frame("PING\r\n");
  ASSERT_EQ(f.kind, Kind::kCommand);
  EXPECT_EQ(f.argv, (std::vector<std::string>{"PING"}));
  f = next_frame("  echo   a  \n");
  ASSERT_EQ(f.kind, Kind::kCommand);
  EXPECT_EQ(f.argv, (std::vector<std::string>{"echo", "a"}));
  EXPECT_EQ(next_frame("\r\n").kind, Kind::kEmpty);
  EXPECT_EQ(next_frame("PIN").kind, Kind::kNeedMore);
}

// Redis 7.0's texts for each malformed request.
TEST(Framer, ProtocolErrorsAsRedis) {
  EXPECT_EQ(next_frame("*x\r\n").error, "ERR Protocol error: invalid multibulk length");
  EXPECT_EQ(next_frame("*1\r\n+PING\r\n").error, "ERR Protocol error: expected '$', got '+'");
  EXPECT_EQ(next_frame("*1\r\n$-3\r\n").error, "ERR Protocol error: invalid bulk length");
  EXPECT_EQ(next_frame("*1\r\n$4\r\nPINGxx").error, "ERR Protocol error: invalid bulk length");
  EXPECT_EQ(next_frame(std::string(kInlineBytesMax + 1, 'a')).error, "ERR Protocol error: too big inline request");
  EXPECT_EQ(next_frame("*0\r\n").kind, Kind::kEmpty);
}

}  // namespace
}  // namespace lockcheck::serve
