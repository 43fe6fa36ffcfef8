// The timeline's legend and CSS: what each mark means, and how it looks.
// Both are written once per page, whatever number of timelines it holds.
#include <string>
#include <vector>

#include "reports/html.h"
#include "reports/timeline.h"
#include "reports/timeline_marks.h"

namespace lockcheck::reports {

std::string render_timeline_legend() {
  struct Item {
    std::string swatch;  // SVG content in a 30 x 16 box
    const char* label;
  };
  const std::string c0 = marks::client_color(0);
  const std::vector<Item> items = {
      {"<line x1=\"2\" y1=\"8\" x2=\"28\" y2=\"8\" class=\"attempt\"/>", "acquire attempt"},
      {"<rect x=\"2\" y=\"3\" width=\"26\" height=\"10\" class=\"validity\" fill=\"" + c0 + "\" stroke=\"" + c0 +
           "\"/><rect x=\"2\" y=\"3\" width=\"14\" height=\"10\" class=\"held\" fill=\"" + c0 + "\"/>",
       "grant: held (solid), believed validity (pale)"},
      {"<g class=\"write\"><line x1=\"15\" y1=\"6\" x2=\"15\" y2=\"15\"/><path transform=\"translate(15 4)\" d=\"" +
           std::string(marks::kArrowHead) + "\"/></g>",
       "resource write"},
      {"<g class=\"write-rejected\"><line x1=\"15\" y1=\"6\" x2=\"15\" y2=\"15\"/><path transform=\"translate(15 4)\" "
       "d=\"M-3,-3L3,3M-3,3L3,-3\"/></g>",
       "write rejected (stale fence)"},
      {"<g class=\"write-lost\"><line x1=\"15\" y1=\"7\" x2=\"15\" y2=\"15\"/><path transform=\"translate(15 4)\" d=\"" +
           std::string(marks::kCircle) + "\"/></g>",
       "write lost"},
      {"<g class=\"release\"><line x1=\"4\" y1=\"8\" x2=\"26\" y2=\"8\" class=\"release-line\"/><line x1=\"4\" y1=\"4\" "
       "x2=\"4\" y2=\"12\" class=\"release-line\"/></g>",
       "release"},
      {"<path transform=\"translate(15 8)\" d=\"" + std::string(marks::kDiamond) + "\" class=\"lease-lost\"/>", "lease lost"},
      {"<rect x=\"2\" y=\"2\" width=\"26\" height=\"12\" class=\"key-rect\" fill=\"" + c0 + "\"/>",
       "lock key on a node (owner's colour)"},
      {"<path transform=\"translate(15 8)\" d=\"" + std::string(marks::kDiamond) + "\" class=\"expiry\"/>",
       "key expires (node's clock)"},
      {"<line x1=\"15\" y1=\"2\" x2=\"15\" y2=\"9\" class=\"mutation\" stroke=\"" + c0 + "\"/>", "key change"},
      {"<path transform=\"translate(12 8)\" d=\"" + std::string(marks::kBolt) + "\" class=\"bolt\"/>", "clock jump / drift"},
      {"<rect x=\"2\" y=\"1\" width=\"26\" height=\"14\" fill=\"url(#legend-hatch)\"/>", "paused"},
      {"<rect x=\"2\" y=\"1\" width=\"26\" height=\"14\" fill=\"url(#legend-down)\"/>", "down (crashed, dead)"},
      {"<path transform=\"translate(9 8)\" d=\"" + std::string(marks::kCross) +
           "\" class=\"crash\"/><path transform=\"translate(22 8)\" d=\"" + std::string(marks::kTriangleRight) +
           "\" class=\"restart\"/>",
       "crash, restart"},
      {"<g class=\"band-partition\"><rect x=\"2\" y=\"3\" width=\"26\" height=\"10\" class=\"band-rect\"/></g>",
       "partition (its processes tinted)"},
      {"<g class=\"band-delay\"><rect x=\"2\" y=\"3\" width=\"26\" height=\"10\" class=\"band-rect\"/></g>",
       "delay / loss / duplicates"},
      {"<path transform=\"translate(15 8)\" d=\"" + std::string(marks::kTriangleDown) + "\" class=\"fault-event\"/>",
       "fault event"},
      {"<line x1=\"15\" y1=\"0\" x2=\"15\" y2=\"16\" class=\"violation-line\"/>", "violation"},
      {"<rect x=\"4\" y=\"3\" width=\"22\" height=\"10\" class=\"held named\" fill=\"" + c0 + "\"/>",
       "named by the violation"},
  };
  std::string out = "<div class=\"legend\"><svg width=\"0\" height=\"0\" style=\"position:absolute\"><defs>"
                    "<pattern id=\"legend-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
                    "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#eeeeee\"/><line x1=\"0\" "
                    "y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#b9b9b9\" stroke-width=\"2.5\"/></pattern>"
                    "<pattern id=\"legend-down\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
                    "patternTransform=\"rotate(-45)\"><rect width=\"6\" height=\"6\" fill=\"#d9d9d9\"/><line x1=\"0\" "
                    "y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#8d8d8d\" stroke-width=\"2\"/></pattern></defs></svg>";
  for (const auto& item : items) {
    out += "<span class=\"legend-item\"><svg class=\"timeline swatch\" width=\"30\" height=\"16\">" + item.swatch +
           "</svg>" + html_escape(item.label) + "</span>";
  }
  out += "</div>";
  return out;
}

std::string timeline_css() {
  return R"(svg.timeline { font: 11px "DejaVu Sans", Verdana, sans-serif; display: block; max-width: 100%; height: auto; }
svg.timeline.swatch { display: inline-block; vertical-align: middle; margin-right: 4px; }
.timeline .lane-bg { fill: #ffffff; }
.timeline .lane-bg.odd { fill: #f6f7f9; }
.timeline .lane-label { font-weight: 600; fill: #222; }
.timeline .lane-label.replica { font-weight: 400; fill: #555; }
.timeline .axis text { fill: #444; }
.timeline .axis-title { fill: #666; font-style: italic; }
.timeline .axis-line { stroke: #888; }
.timeline .grid { stroke: #e3e5e8; }
.timeline .attempt { stroke: #8a8a8a; stroke-width: 2; stroke-dasharray: 4 2; }
.timeline .acquire-failed { stroke: #8a8a8a; stroke-width: 2; fill: none; }
.timeline .validity { fill-opacity: 0.18; stroke-width: 1; stroke-dasharray: 3 2; }
.timeline .held { fill-opacity: 0.85; }
.timeline .granted-end { stroke: #333; stroke-dasharray: 2 2; }
.timeline .bar-label { fill: #fff; font-weight: 600; pointer-events: none; stroke: none; }
.timeline .write line { stroke: #111; stroke-width: 1.5; }
.timeline .write path { fill: #111; }
.timeline .write-rejected line, .timeline .write-rejected path { stroke: #b01818; stroke-width: 2; fill: none; }
.timeline .write-lost line { stroke: #777; stroke-width: 2; stroke-dasharray: 3 2; }
.timeline .write-lost path { stroke: #777; stroke-width: 1.5; fill: #fff; }
.timeline .release-line { stroke: #333; stroke-width: 1.5; }
.timeline .released, .timeline .release-failed { stroke-width: 1.5; }
.timeline .released { stroke: #333; }
.timeline .release-failed { stroke: #b01818; }
.timeline .lease-lost { fill: #f4a300; stroke: #8a5a00; }
.timeline .nested { fill: #6a3d9a; }
.timeline .nested-failed { fill: #b01818; }
.timeline .key-rect { fill-opacity: 0.55; }
.timeline .no-ttl .key-rect { stroke: #b01818; stroke-width: 1.5; stroke-dasharray: 4 2; }
.timeline .no-ttl .bar-label { fill: #7a0000; }
.timeline .key .bar-label { fill: #1b1b1b; font-weight: 600; }
.timeline .expiry { fill: #fff; stroke: #444; stroke-width: 1.2; }
.timeline .mutation { stroke-width: 2; }
.timeline .mutation.by-nobody { stroke-width: 2.5; }
.timeline .bolt { fill: #f4a300; stroke: #8a5a00; stroke-width: 0.8; }
.timeline .clock-label { fill: #8a5a00; font-weight: 700; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
.timeline .clock-line { stroke: #f4a300; stroke-width: 2; }
.timeline .crash { stroke: #b01818; stroke-width: 2.5; fill: none; }
.timeline .restart { fill: #2ca02c; }
.timeline .failover-line { stroke: #6a3d9a; stroke-width: 2; stroke-dasharray: 3 2; }
.timeline .failover-head { fill: #6a3d9a; }
.timeline .band-rect { stroke-width: 1; }
.timeline .band-partition .band-rect { fill: #f8d7da; stroke: #c9737b; }
.timeline .band-delay .band-rect { fill: #fff1c2; stroke: #c9a227; }
.timeline .band-drop .band-rect { fill: #dde3ea; stroke: #8797a8; }
.timeline .band-duplicate .band-rect { fill: #e8defa; stroke: #9b84c9; }
.timeline .band-label { fill: #333; }
.timeline .cut-partition { fill: #f4c7cb; fill-opacity: 0.45; }
.timeline .cut-delay { fill: #ffe79a; fill-opacity: 0.45; }
.timeline .fault-event { fill: #555; }
.timeline .violation-line { stroke: #d62728; stroke-width: 2; stroke-dasharray: 6 3; }
.timeline .violation-label { fill: #d62728; font-weight: 700; }
.timeline .named:not(g), .timeline g.named > rect, .timeline g.named > line, .timeline g.named > path {
  stroke: #d62728; stroke-width: 2.5; stroke-dasharray: none; }
.timeline g.named > rect.validity { stroke-width: 1.5; }
.timeline .cursor-line { stroke: #333; stroke-width: 1; stroke-dasharray: 2 2; pointer-events: none; }
.timeline .cursor-label { fill: #111; font-weight: 600; pointer-events: none; }
.timeline .left-out { fill: #b01818; }
.timeline .ev:hover { opacity: 0.75; }
)";
}

}  // namespace lockcheck::reports
