// summary.md: a run as a Markdown job summary (GitHub's
// $GITHUB_STEP_SUMMARY): a headline, the matrix as a table with one row
// per (strategy, fault cell), one line per violated property with its seed,
// TRACE, explanation and replay command, and the differences from the
// baseline when there is one. Every text from the run is escaped, so a
// name or explanation never turns into markup.
#ifndef LOCKCHECK_REPORTS_MARKDOWN_H_
#define LOCKCHECK_REPORTS_MARKDOWN_H_

#include <string>
#include <vector>

#include "reports/baseline.h"
#include "reports/report.h"

namespace lockcheck::reports {

// `comparison` is parallel to cells (without_baseline(cells) for none).
std::string summary_markdown(const std::vector<CellReport>& cells, const BaselineComparison& comparison);

// Text as Markdown shows it literally, inside a table cell or after a list
// marker: \ ` * _ [ ] < > | ~ backslash-escaped, '&' as an entity, line
// breaks as spaces.
std::string markdown_escape(const std::string& text);
// An inline code span of text, fenced with more backticks than it holds
// ('|' and line breaks become spaces: GitHub ends a table cell at '|' even
// in code).
std::string markdown_code(const std::string& text);

}  // namespace lockcheck::reports

#endif  // LOCKCHECK_REPORTS_MARKDOWN_H_
