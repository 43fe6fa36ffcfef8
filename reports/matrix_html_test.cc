#include "reports/matrix_html.h"
#include "reports/html.h"

#include <gtest/gtest.h>

#include <filesystem>
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

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(MatrixHtml, SelfContainedWithTheMatrixParametersLinksAndReplayCommands) {
  const std::vector<CellReport> cells = {clean_cell(), violated_cell()};
  const std::string html = matrix_html(cells, without_baseline(cells), "out/report.html");
  EXPECT_EQ(html.rfind("<!DOCTYPE html>\n", 0), 0u);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http:"), std::string::npos);
  EXPECT_EQ(html.find("https:"), std::string::npos);
  EXPECT_EQ(html.find(" src="), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_NE(html.find("<title>lockcheck: 2 cells: 1 hold, 1 violated</title>"), std::string::npos);
  // A row per cell, a column per property, one counterexample section per violation.
  EXPECT_EQ(count(html, "<tr><td class=\"strategy\""), 2u);
  EXPECT_EQ(count(html, "<td class=\"p "), 2 * properties::property_catalog().size());
  EXPECT_EQ(count(html, "<td class=\"p violated\""), 2u);
  EXPECT_EQ(count(html, "<section class=\"cx"), 2u);
  // The counterexample files sit beside the page: links are bare names.
  EXPECT_NE(html.find("<a href=\"del-unchecked-pause_drop-owner.html\""), std::string::npos) << html;
  EXPECT_NE(html.find("<a href=\"del-unchecked-pause_drop-owner.json\">json</a>"), std::string::npos);
  EXPECT_NE(html.find("<pre>lockcheck replay out/del-unchecked-pause_drop-owner.json</pre>"), std::string::npos);
  EXPECT_NE(html.find("<code>TRACE=0000000000000ae8</code>"), std::string::npos);
  EXPECT_NE(html.find("<code>SEED=0x2c</code>, violated on 1 of 60 seeds"), std::string::npos);
  // The run's parameters.
  EXPECT_NE(html.find("<tr><td>seeds per cell</td><td>500,60 from 0x1</td></tr>"), std::string::npos) << html;
  EXPECT_NE(html.find("<tr><td>fault cells</td><td>none,pause+drop</td></tr>"), std::string::npos);
  const std::vector<CellReport> same_seeds = {cell_of("single", "none", 200), cell_of("fenced", "pause", 200)};
  EXPECT_NE(matrix_html(same_seeds, without_baseline(same_seeds), "r.html")
                .find("<code>lockcheck run --strategy single,fenced --faults none,pause --seeds 200 --seed 0x1</code>"),
            std::string::npos);
}

TEST(MatrixHtml, AgainstABaselineExpectedViolationsAreNotRegressions) {
  const std::vector<CellReport> before = {clean_cell(), violated_cell()};
  auto b = parse_baseline(baseline_json(before, "lockcheck run -q --write-baseline b.json").value(), "b.json");
  ASSERT_TRUE(b.ok());
  auto same = compare_with_baseline(before, b.value(), "b.json");
  const std::string ok = matrix_html(before, same.value(), "out/report.html");
  EXPECT_EQ(count(ok, "<td class=\"p expected\""), 2u);
  EXPECT_EQ(count(ok, "<td class=\"p violated\""), 0u);
  EXPECT_NE(ok.find("Every verdict as the baseline expects (2 expected violations)."), std::string::npos);
  CellReport regressed = clean_cell();
  violate(&regressed, "mutex", 0x7, 2, "out");
  const std::vector<CellReport> now = {regressed, violated_cell()};
  const std::string bad = matrix_html(now, compare_with_baseline(now, b.value(), "b.json").value(), "out/report.html");
  EXPECT_EQ(count(bad, "<td class=\"p regression\""), 1u);
  EXPECT_NE(bad.find("<li class=\"bad\">REGRESSION single / none: mutex held in the baseline"), std::string::npos);
}

TEST(MatrixHtml, LinksAreRelativeToThePageAndEncoded) {
  EXPECT_EQ(relative_url("out/report.html", "out/x.json"), "x.json");
  EXPECT_EQ(relative_url("site/report.html", "shards/1/x.json"), "../shards/1/x.json");
  EXPECT_EQ(relative_url("report.html", "a dir/x#1.json"), "a%20dir/x%231.json");
  EXPECT_EQ(counterexample_page("out/single-pause-mutex.json"), "out/single-pause-mutex.html");
}

TEST(MatrixHtml, EveryTextIsEscaped) {
  EXPECT_EQ(html_escape("<a href=\"x\">'&'</a>\x01"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;&#xFFFD;");
  CellReport c = cell_of("<script>alert(1)</script>", "\"><img>", 10);
  violate(&c, "mutex", 0x3, 1, "o\"ut");
  c.result.properties[index_of(c, "mutex")].counterexample->explanation = "<b>boom</b>";
  c.result.nondeterminism = "<i>";
  const std::vector<CellReport> cells = {c};
  const std::string html = matrix_html(cells, without_baseline(cells), "r.html");
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b>boom"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("href=\"o%22ut/"), std::string::npos) << html;
}

}  // namespace
}  // namespace lockcheck::reports
