#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "plasticity/grid_decay.hpp"

using namespace apical;

TEST_CASE("grid_decay gives exp(-m h / tau) for m steps, in and beyond its table, and exp(-dt / tau) off the grid") {
  const double h = 0.1, tau = 16.8;
  // a table of 64 steps and a coarse table of 64 multiples of it (4096 steps)
  const grid_decay on(tau, h, true, 64, 64), off(tau, h, false);
  CHECK(on.on_grid());
  CHECK_FALSE(off.on_grid());
  // in the table, in the coarse table, beyond both; the values' error is
  // that of rounding the argument x = m h / tau (relative x eps) and a few ulp
  for (long m : {0L, 1L, 7L, 63L, 64L, 65L, 127L, 128L, 1000L, 4095L, 4096L, 4097L, 100000L}) {
    const double exact = std::exp(-double(m) * h / tau);
    // dt as the engine forms it: the difference of two grid times, not exactly m h
    const double t1 = double(123456 + m) * h, t0 = 123456.0 * h;
    INFO("m = " << m);
    const double x = double(m) * h / tau;
    CHECK(std::abs(on(t1 - t0) - exact) <= 4 * std::numeric_limits<double>::epsilon() * (1 + x) * exact);
    CHECK(off(double(m) * h) == doctest::Approx(exact).epsilon(1e-15));
  }
  // off the grid: the interval itself, not the nearest step
  CHECK(off(0.25) == doctest::Approx(std::exp(-0.25 / tau)).epsilon(1e-15));
  CHECK(off(0.25) != doctest::Approx(std::exp(-0.2 / tau)).epsilon(1e-6));
}
