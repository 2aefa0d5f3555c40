#include <doctest/doctest.h>

#include <chrono>

#include "core/phase_clock.hpp"

using namespace apical;

namespace {
using wall = std::chrono::steady_clock;
// Spins until steady_clock shows `ms` milliseconds more; returns the
// phase_clock ticks that passed meanwhile.
phase_clock::ticks spin(double ms) {
  const auto w0 = wall::now();
  const phase_clock::ticks t0 = phase_clock::now();
  while (std::chrono::duration<double, std::milli>(wall::now() - w0).count() < ms) {}
  return phase_clock::now() - t0;
}
}  // namespace

TEST_CASE("phase_clock: ticks never go back, and tick_rate turns them into steady_clock's seconds") {
  phase_clock::ticks prev = phase_clock::now();
  bool monotonic = true;
  for (int i = 0; i < 100000; ++i) {
    const phase_clock::ticks t = phase_clock::now();
    monotonic = monotonic && t >= prev;
    prev = t;
  }
  CHECK(monotonic);

  // An interval read both ways, inside the interval the rate is measured
  // over: the two clocks agree (the rate, not how long anything took, is
  // checked; a rate off by its frequency's factor would be far outside).
  const tick_rate rate;
  const auto w0 = wall::now();
  const phase_clock::ticks ticks = spin(20.0);
  const double wall_s = std::chrono::duration<double>(wall::now() - w0).count();
  spin(5.0);
  const double per_tick = rate.seconds_per_tick();
  REQUIRE(per_tick > 0.0);
  CHECK(double(ticks) * per_tick == doctest::Approx(wall_s).epsilon(0.1));
}
