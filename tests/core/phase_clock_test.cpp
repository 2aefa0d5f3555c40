#include <doctest/doctest.h>

#include <chrono>

#include "core/phase_clock.hpp"

using namespace apical;
using wall = std::chrono::steady_clock;

TEST_CASE("phase_clock: ticks never go back, and tick_rate turns them into steady_clock's seconds") {
  phase_clock::ticks prev = phase_clock::now();
  bool monotonic = true;
  for (int i = 0; i < 100000; ++i) {
    const phase_clock::ticks t = phase_clock::now();
    monotonic = monotonic && t >= prev;
    prev = t;
  }
  CHECK(monotonic);

  // One interval read with both clocks, each end read as a pair, inside the
  // interval the rate is measured over: the converted ticks equal
  // steady_clock's reading. The rate is what is checked, not how long anything
  // took (a rate off by a frequency's factor would be far outside).
  const tick_rate rate;
  const auto w0 = wall::now();
  const phase_clock::ticks t0 = phase_clock::now();
  while (std::chrono::duration<double, std::milli>(wall::now() - w0).count() < 20.0) {}
  const phase_clock::ticks t1 = phase_clock::now();
  const auto w1 = wall::now();
  const double per_tick = rate.seconds_per_tick();
  REQUIRE(per_tick > 0.0);
  CHECK(double(t1 - t0) * per_tick == doctest::Approx(std::chrono::duration<double>(w1 - w0).count()).epsilon(0.1));
}
