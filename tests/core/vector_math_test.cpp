#include <doctest/doctest.h>

#include <cmath>

#include "core/rng.hpp"
#include "core/vector_math.hpp"

using namespace apical;

TEST_CASE("exp_vec is within 1 ulp of std::exp on [-708, 709]") {
  stream_engine e(11, stream_tag::neuron_noise, 0);
  double worst = 0;
  auto check = [&](double x) {
    const double a = exp_vec(x), b = std::exp(x);
    const double ulp = std::nextafter(b, INFINITY) - b;
    worst = std::max(worst, std::abs(a - b) / ulp);
  };
  for (int i = 0; i < 200000; ++i) check(-708.0 + 1417.0 * e.uniform());
  for (int i = 0; i < 200000; ++i) check(-1.0 + 2.0 * e.uniform());   // the range neuron updates use
  for (double x : {0.0, -0.0, 1.0, -1.0, 0.5 * std::log(2.0), -0.5 * std::log(2.0), 700.0, -700.0, 709.0, -708.0}) check(x);
  MESSAGE("largest error: " << worst << " ulp");
  CHECK(worst <= 1.0);
  CHECK(exp_vec(0.0) == 1.0);
  CHECK(exp_vec(-1000.0) == doctest::Approx(std::exp(-708.0)));   // clamped, not garbage
}
