#pragma once
// Simulation time: an integer step count on the grid of resolution h, plus, for
// events with precise times, an offset inside the step. Time is never accumulated
// in floating point: t = step * h + offset is computed afresh from integers.
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>

namespace apical {

using step_t = std::int64_t;

/// A spike: emitted by global node `source` at time step*h + offset [ms],
/// 0 <= offset < h. Grid models emit at step boundaries (offset 0).
struct spike {
  step_t step;
  double offset;   ///< ms inside the step
  std::uint32_t source;

  friend bool operator<(const spike& a, const spike& b) {
    if (a.step != b.step) return a.step < b.step;
    if (a.offset != b.offset) return a.offset < b.offset;
    return a.source < b.source;
  }
  friend bool operator==(const spike&, const spike&) = default;
};

/// Converts a time in ms to the grid. Times within 1e-9 of a step boundary are
/// snapped to it so that 1.0 ms with h = 0.1 ms is step 10, not step 9 + 0.1 ms.
struct grid_time {
  step_t step;
  double offset;
};

inline grid_time to_grid(double t_ms, double h_ms) {
  const double x = t_ms / h_ms;
  const double r = std::round(x);
  if (std::abs(x - r) < 1e-9) return {static_cast<step_t>(r), 0.0};
  const double f = std::floor(x);
  return {static_cast<step_t>(f), t_ms - f * h_ms};
}

/// The first step starting at or after t [ms] (the step of t when t is on the grid).
inline step_t first_step_at_or_after(double t_ms, double h_ms) {
  const grid_time g = to_grid(t_ms, h_ms);
  return g.offset > 0.0 ? g.step + 1 : g.step;
}

/// The first step at or after `stop` [ms]: an activity running while t < stop
/// stops there. stop >= 1e299 (or infinity) means never.
inline step_t stop_step(double stop_ms, double h_ms) {
  return stop_ms >= 1e299 ? std::numeric_limits<step_t>::max() : first_step_at_or_after(stop_ms, h_ms);
}

/// Number of steps in a duration that must be a whole multiple of h.
inline step_t steps_exact(double t_ms, double h_ms) {
  const double x = t_ms / h_ms;
  const double r = std::round(x);
  if (std::abs(x - r) > 1e-9 * std::max(1.0, std::abs(x)))
    throw std::invalid_argument("not a multiple of the resolution");
  return static_cast<step_t>(r);
}

}  // namespace apical
