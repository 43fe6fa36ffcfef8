// The HTML report of one replayed scenario (`lockcheck replay FILE --html
// OUT`): one self-contained page (inline CSS, SVG and a little JS; no
// network) with the scenario in words, the exact replay command, the
// verdicts and the run's timeline (reports/timeline.h). The page reads the
// same with scripts off: the script only adds a time cursor.
#ifndef LOCKCHECK_REPORTS_HTML_H_
#define LOCKCHECK_REPORTS_HTML_H_

#include <string>
#include <string_view>
#include <vector>

#include "chaos/scenario.h"
#include "properties/checkers.h"
#include "sim/world.h"

namespace lockcheck::reports {

// Text safe inside HTML elements and quoted attributes: & < > " ' become
// entities; control characters (but tab and newline) become U+FFFD.
std::string html_escape(std::string_view text);

// `text` as one word for a POSIX shell: unchanged when it holds only
// [A-Za-z0-9_./:=@%+,-], else single-quoted.
std::string shell_quote(std::string_view text);

struct ReplayPage {
  std::string file;  // the scenario file as given on the command line
  const chaos::Scenario* scenario = nullptr;
  const sim::RunOutcome* outcome = nullptr;
  const std::vector<properties::Violation>* violations = nullptr;
};

// The page. All three pointers must be set; outcome must be the run of
// scenario and violations what the checkers found in it.
std::string render_replay_page(const ReplayPage& page);

// The page of a counterexample file `file` whose content is `scenario`:
// replays it and renders the result. `run` and `report --out` write it
// beside the file as counterexample_page(file) (reports/matrix_html.h),
// where the matrix page links.
std::string render_counterexample_page(const std::string& file, const chaos::Scenario& scenario);

// The script the page embeds: it adds the time cursor and, last, sets
// data-script="ok" on <html> (the headless browser test looks for it).
std::string timeline_script();

}  // namespace lockcheck::reports

#endif  // LOCKCHECK_REPORTS_HTML_H_
