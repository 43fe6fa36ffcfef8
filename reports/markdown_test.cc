#include "reports/markdown.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "reports/test_cells.h"

namespace lockcheck::reports {
namespace {

using testing::cell_of;
using testing::clean_cell;
using testing::index_of;
using testing::violate;
using testing::violated_cell;

std::vector<std::string> lines_starting(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) == 0) out.push_back(line);
  }
  return out;
}

TEST(Markdown, OneTableRowPerCellAndOneLinePerViolationWithItsReplayCommand) {
  const std::vector<CellReport> cells = {clean_cell(), violated_cell()};
  const std::string md = summary_markdown(cells, without_baseline(cells));
  EXPECT_EQ(
      md.rfind("## lockcheck safety matrix\n\n2 cells: 1 hold, 1 violated. No baseline: every violation fails.\n", 0),
      0u)
      << md;
  const auto rows = lines_starting(md, "| ");
  ASSERT_EQ(rows.size(), 3u) << md;  // the header and one row per cell
  EXPECT_EQ(rows[0],
            "| strategy | faults | seeds | mutex | resource | fencing | owner | expiry | progress | reentry | "
            "validity | timeout | verdict |");
  EXPECT_EQ(rows[1], "| single | none | 500 | ok | ok | ok | ok | ok | ok | ok | ok | ok | holds |");
  EXPECT_EQ(rows[2],
            "| del-unchecked | pause+drop | 60 | ok | **VIOLATED** | ok | **VIOLATED** | ok | ok | ok | ok | ok | "
            "VIOLATED resource 0x2a, owner 0x2c |");
  // Every row has as many columns as the header.
  for (const auto& row : rows) EXPECT_EQ(std::count(row.begin(), row.end(), '|'), 14) << row;
  const auto violations = lines_starting(md, "- ");
  ASSERT_EQ(violations.size(), 2u);
  EXPECT_EQ(violations[1],
            "- del-unchecked / pause+drop **owner**: seed 0x2c, TRACE=0000000000000ae8, shrunk: owner "
            "broke at seed 0x2c — `lockcheck replay out/del-unchecked-pause_drop-owner.json`");
}

TEST(Markdown, AgainstABaselineExpectedViolationsAreToldApartFromRegressions) {
  const std::vector<CellReport> before = {clean_cell(), violated_cell()};
  auto b = parse_baseline(baseline_json(before, "lockcheck run -q --write-baseline b.json").value(), "b.json");
  ASSERT_TRUE(b.ok());
  auto same = compare_with_baseline(before, b.value(), "b.json");
  const std::string ok = summary_markdown(before, same.value());
  EXPECT_NE(ok.find("Baseline `b.json`: every cell as expected."), std::string::npos) << ok;
  EXPECT_NE(ok.find("| expected | ok | expected |"), std::string::npos) << ok;
  EXPECT_NE(ok.find("VIOLATED resource 0x2a, owner 0x2c (as expected) |"), std::string::npos) << ok;
  // Expected violations are folded away, each still with its replay command.
  EXPECT_EQ(ok.find("### Violations"), std::string::npos) << ok;
  EXPECT_NE(ok.find("\n<details><summary>2 violations the baseline expects</summary>\n\n- del-unchecked / pause+drop "
                    "**resource**: seed 0x2a"),
            std::string::npos)
      << ok;
  EXPECT_NE(ok.find("- del-unchecked / pause+drop **owner**: seed 0x2c, TRACE=0000000000000ae8, shrunk: owner broke at "
                    "seed 0x2c — `lockcheck replay out/del-unchecked-pause_drop-owner.json`\n\n</details>\n"),
            std::string::npos)
      << ok;
  EXPECT_EQ(ok.find("### Baseline"), std::string::npos);

  CellReport regressed = clean_cell();
  violate(&regressed, "mutex", 0x7, 2, "out");
  const std::vector<CellReport> now = {regressed, violated_cell()};
  auto changed = compare_with_baseline(now, b.value(), "b.json");
  const std::string bad = summary_markdown(now, changed.value());
  EXPECT_NE(bad.find("**1 differences** (1 regressions, 0 improvements, 0 not in the baseline)"), std::string::npos)
      << bad;
  EXPECT_NE(bad.find("| single | none | 500 | **REGRESSION** | ok |"), std::string::npos) << bad;
  EXPECT_NE(bad.find("VIOLATED mutex 0x7 — **REGRESSION mutex** |"), std::string::npos) << bad;
  EXPECT_NE(bad.find("### Violations\n\n- single / none **mutex** (**REGRESSION**): seed 0x7,"), std::string::npos)
      << bad;
  EXPECT_NE(bad.find("### Baseline `b.json`\n\n- REGRESSION single / none: mutex held in the baseline, violated now "
                     "(seed 0x7; lockcheck replay out/single-none-mutex.json)\n"),
            std::string::npos)
      << bad;
  EXPECT_NE(
      bad.find("regenerate the baseline with the command that wrote it: `lockcheck run -q --write-baseline b.json`"),
      std::string::npos);
}

TEST(Markdown, RunTextNeverBecomesMarkup) {
  EXPECT_EQ(markdown_escape("a|b *c* _d_ <script> [x](y) `z` & \\"),
            "a\\|b \\*c\\* \\_d\\_ \\<script\\> \\[x\\](y) \\`z\\` &amp; \\\\");
  EXPECT_EQ(markdown_escape("two\nlines"), "two lines");
  EXPECT_EQ(markdown_code("lockcheck replay out/x.json"), "`lockcheck replay out/x.json`");
  EXPECT_EQ(markdown_code("a `b` c"), "``a `b` c``");
  EXPECT_EQ(markdown_code("`x"), "`` `x ``");
  EXPECT_EQ(markdown_code("a|b"), "`a b`");  // a '|' would end the table cell even in code
  CellReport c = cell_of("x|y", "<b>", 10);
  violate(&c, "mutex", 0x3, 1, "out");
  c.result.properties[index_of(c, "mutex")].counterexample->explanation = "**boom** | <i>";
  const std::vector<CellReport> cells = {c};
  const std::string md = summary_markdown(cells, without_baseline(cells));
  EXPECT_NE(md.find("| x\\|y | \\<b\\> | 10 |"), std::string::npos) << md;
  EXPECT_NE(md.find("\\*\\*boom\\*\\* \\| \\<i\\>"), std::string::npos) << md;
  EXPECT_EQ(md.find("<b>"), std::string::npos);
  EXPECT_EQ(md.find("<i>"), std::string::npos);
}

}  // namespace
}  // namespace lockcheck::reports
