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
#include "reports/real_time.h"
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

// The page of a real-time counterexample file `file` (reports/real_time.h):
// the note that the run is not replayed, the reproduce command, the fault
// schedule as applied, the verdicts of the checkers over the recorded
// history (re-judged, beside those the file records), the timeline drawn
// from that history, and the history itself. Written where
// counterexample_page(file) says, like a simulated counterexample's.
std::string render_real_time_page(const std::string& file, const RealTimeCounterexample& cx);

// The page of any counterexample file, simulated (a scenario) or real time,
// from its text; an unreadable file is an error naming it.
Result<std::string> render_counterexample_file_page(const std::string& file, const std::string& text);

// The script the page embeds: it adds the time cursor and, last, sets
// data-script="ok" on <html> (the headless browser test looks for it).
std::string timeline_script();

}  // namespace lockcheck::reports

#endif  // LOCKCHECK_REPORTS_HTML_H_
