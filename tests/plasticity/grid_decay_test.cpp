#include <doctest/doctest.h>

#include <cmath>

#include "plasticity/grid_decay.hpp"

using namespace apical;

TEST_CASE("grid_decay gives exp(-m h / tau) for m steps, in and beyond its table, and exp(-dt / tau) off the grid") {
  const double h = 0.1, tau = 16.8;
  const grid_decay on(tau, h, true, 64), off(tau, h, false);
  CHECK(on.on_grid());
  CHECK_FALSE(off.on_grid());
  for (long m : {0L, 1L, 7L, 63L, 64L, 65L, 1000L, 100000L}) {
    const double exact = std::exp(-double(m) * h / tau);
    // dt as the engine forms it: the difference of two grid times, not exactly m h
    const double t1 = double(123456 + m) * h, t0 = 123456.0 * h;
    INFO("m = " << m);
    CHECK(on(t1 - t0) == doctest::Approx(exact).epsilon(1e-15));
    CHECK(off(double(m) * h) == doctest::Approx(exact).epsilon(1e-15));
  }
  // off the grid: the interval itself, not the nearest step
  CHECK(off(0.25) == doctest::Approx(std::exp(-0.25 / tau)).epsilon(1e-15));
  CHECK(off(0.25) != doctest::Approx(std::exp(-0.2 / tau)).epsilon(1e-6));
}
