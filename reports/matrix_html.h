// report.html: a run's matrix as one self-contained page for a person (inline
// CSS, no script, nothing fetched, opens from disk): the run's parameters,
// the matrix strategy x fault cell x property with violations highlighted
// (and, against a baseline, expected violations told apart from
// regressions), each violated property linking to its counterexample, and
// per counterexample its seed, TRACE, explanation and the exact replay
// command. Every text from the run is HTML-escaped.
#ifndef LOCKCHECK_REPORTS_MATRIX_HTML_H_
#define LOCKCHECK_REPORTS_MATRIX_HTML_H_

#include <string>
#include <vector>

#include "reports/baseline.h"
#include "reports/report.h"

namespace lockcheck::reports {

// `comparison` is parallel to cells (without_baseline(cells) for none).
// `page_path` is where the page will be written: links to counterexample
// files are relative to its directory, so the report directory can move.
std::string matrix_html(const std::vector<CellReport>& cells, const BaselineComparison& comparison,
                        const std::string& page_path);

// The page of one counterexample, beside its file: "dir/x.json" ->
// "dir/x.html" (rendered by `lockcheck replay FILE --html`).
std::string counterexample_page(const std::string& counterexample_file);

// `target` as a relative URL from the directory of `page_path`, each path
// segment percent-encoded.
std::string relative_url(const std::string& page_path, const std::string& target);

}  // namespace lockcheck::reports

#endif  // LOCKCHECK_REPORTS_MATRIX_HTML_H_
