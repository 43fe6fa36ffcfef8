#include "base/text.h"

#include <gtest/gtest.h>

namespace lockcheck {
namespace {

using Items = std::vector<std::string_view>;

TEST(SplitList, KeepsEveryItemEmptyOnesIncluded) {
  EXPECT_EQ(split_list("a,b,c"), (Items{"a", "b", "c"}));
  EXPECT_EQ(split_list("a,,b"), (Items{"a", "", "b"}));
  EXPECT_EQ(split_list(""), (Items{""}));
  EXPECT_EQ(split_list(","), (Items{"", ""}));
  EXPECT_EQ(split_list("a,"), (Items{"a", ""}));
  EXPECT_EQ(split_list("1,2/3", ','), (Items{"1", "2/3"}));
  EXPECT_EQ(split_list("x+y", '+'), (Items{"x", "y"}));
}

TEST(KnownList, NamesEveryOneInOrder) {
  EXPECT_EQ(known_list({"a", "b", "c"}), "(known: a, b, c)");
  EXPECT_EQ(known_list({"only"}), "(known: only)");
  EXPECT_EQ(known_list({}), "(known: )");
}

}  // namespace
}  // namespace lockcheck
