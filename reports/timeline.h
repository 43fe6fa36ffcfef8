// The timeline of one run as an inline SVG, in true time: a lane per client
// (acquire attempts, grants with the validity the holder believed, resource
// writes, releases, pauses, crashes), a lane per node and replica (the lock
// key's value, coloured by the client whose token it is, and its TTL by
// that node's clock; expiries, clock jumps, crashes, failover), and the
// network faults as bands. Violations are vertical markers; the events a
// violation's explanation names are highlighted. Every shape carries its
// details as hover text (<title>).
//
// The SVG is one self-contained element, so the replay page and a matrix
// page can embed it per counterexample (with timeline_css() once per page).
// Everything taken from the run or the scenario is HTML-escaped.
//
// Machine-readable hooks (tests query them in the DOM):
//   <svg class="timeline" data-t0-ms data-t1-ms data-x0 data-x1>
//   <g class="lane client-lane|node-lane" data-lane="client-0|node-2|node-0-replica-1">
//   shapes of events: class "ev" and data-kind = sim::event_kind_name, or a
//   fault kind name for the schedule's faults; "named" when a violation names it
//   <g class="violation" data-property data-at-ms> with a <line> at its x
#ifndef LOCKCHECK_REPORTS_TIMELINE_H_
#define LOCKCHECK_REPORTS_TIMELINE_H_

#include <cstddef>
#include <string>
#include <vector>

#include "chaos/scenario.h"
#include "properties/checkers.h"
#include "sim/history.h"

namespace lockcheck::reports {

struct TimeWindow {
  sim::TrueInstant from{};
  sim::TrueInstant to{};  // > from
};

struct TimelineOptions {
  // The stretch of true time drawn; empty (from == to): the whole run.
  TimeWindow window;
  // Prefixes the SVG's internal ids (patterns), so several timelines can
  // share a page. Letters, digits and '-' only.
  std::string id_prefix = "tl";
  int width_px = 1200;  // the SVG's width (narrower screens scale it down)
};

// A limit on everything: past this many shapes a timeline stops drawing
// events and says how many it left out (fit_window keeps pages below it).
constexpr size_t kTimelineShapesMax = 10'000;

// The whole run: from 0 to the later of the history's end and its last event.
TimeWindow whole_run(const sim::History& history);

// A window around the violations: the first violation's instant and the
// grants, beliefs and events its explanation names, with some margin,
// clipped to the whole run. The whole run when there is no violation or
// when the window would cover most of it anyway.
TimeWindow focus_window(const sim::History& history, const std::vector<properties::Violation>& violations);

// At most this many events in one timeline's window: more are not
// readable at 1200 px, and the page would grow with the run.
constexpr size_t kTimelineEventsMax = 2'500;

// `window` narrowed, when it holds more than kTimelineEventsMax events, to
// that many consecutive events around `around` (the first violation, or the
// start of the run). Unchanged otherwise.
TimeWindow fit_window(const sim::History& history, TimeWindow window, sim::TrueInstant around);

// x of a true instant in an SVG drawn with `options` over `window`
// (instants outside the window map outside [x0, x1]).
double timeline_x(const TimelineOptions& options, const TimeWindow& window, sim::TrueInstant at);

// The SVG element. history must be the run of `scenario` (its sizes name
// the lanes); violations are those the checkers found in it.
std::string render_timeline_svg(const chaos::Scenario& scenario, const sim::History& history,
                                 const std::vector<properties::Violation>& violations,
                                 const TimelineOptions& options = {});

// What each mark means, as a small SVG, and the CSS the timelines use.
std::string render_timeline_legend();
std::string timeline_css();

}  // namespace lockcheck::reports

#endif  // LOCKCHECK_REPORTS_TIMELINE_H_
