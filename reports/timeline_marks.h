// The timeline's marks and colours, shared by the drawing (timeline.cc)
// and its legend (timeline_style.cc) so the two never disagree.
#ifndef LOCKCHECK_REPORTS_TIMELINE_MARKS_H_
#define LOCKCHECK_REPORTS_TIMELINE_MARKS_H_

#include <cstddef>

namespace lockcheck::reports::marks {

// Client colours (a client's bars, and the key values carrying its token),
// cycling past eight clients. Red is kept for violations.
constexpr const char* kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd",
                                    "#17becf", "#8c564b", "#e377c2", "#bcbd22"};
constexpr const char* kUnknownOwner = "#9a9a9a";

inline const char* client_color(int client) {
  if (client < 0) return kUnknownOwner;
  return kPalette[static_cast<size_t>(client) % (sizeof kPalette / sizeof kPalette[0])];
}

// SVG paths drawn around (0, 0).
constexpr const char* kCross = "M-4,-4L4,4M-4,4L4,-4";
constexpr const char* kDiamond = "M0,-4L4,0L0,4L-4,0Z";
constexpr const char* kTriangleDown = "M-4,-3L4,-3L0,3Z";
constexpr const char* kTriangleUp = "M-4,3L4,3L0,-3Z";
constexpr const char* kTriangleRight = "M-3,-4L4,0L-3,4Z";
constexpr const char* kArrowHead = "M-2.5,-2L2.5,-2L0,2Z";
constexpr const char* kCircle = "M-3,0a3,3 0 1,0 6,0a3,3 0 1,0 -6,0";
constexpr const char* kBolt = "M-2,-6L3,-1L-1,0L2,6L-3,1L1,0Z";

}  // namespace lockcheck::reports::marks

#endif  // LOCKCHECK_REPORTS_TIMELINE_MARKS_H_
