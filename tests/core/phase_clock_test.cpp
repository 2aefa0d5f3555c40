#include <doctest/doctest.h>

#include <cmath>

#include "core/phase_clock.hpp"

using namespace apical;

TEST_CASE("phase_clock: ticks never go back, and tick_rate divides an interval's seconds by its ticks") {
  phase_clock::ticks prev = phase_clock::now();
  bool monotonic = true;
  for (int i = 0; i < 100000; ++i) {
    const phase_clock::ticks t = phase_clock::now();
    monotonic = monotonic && t >= prev;
    prev = t;
  }
  CHECK(monotonic);

  // the conversion, on given numbers
  CHECK(tick_rate::per_tick(2'000'000, 1e-3) == doctest::Approx(5e-10));
  CHECK(tick_rate::per_tick(0, 1e-3) == 0.0);    // no tick: no rate, not a division by zero
  CHECK(tick_rate::per_tick(-5, 1e-3) == 0.0);

  // on the live clocks: once the counter has moved, a rate is measured (a
  // positive, finite number; the run summary's phases then add up to its run
  // time, bench/RESULTS.md)
  const tick_rate rate;
  const phase_clock::ticks t0 = phase_clock::now();
  while (phase_clock::now() - t0 < 100000) {}
  const double per_tick = rate.seconds_per_tick();
  CHECK(per_tick > 0.0);
  CHECK(std::isfinite(per_tick));
}
