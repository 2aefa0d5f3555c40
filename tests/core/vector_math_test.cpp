#include <doctest/doctest.h>

#include <cmath>
#include <vector>

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

#if defined(__AVX512F__)
#include <cstring>
#include <limits>

TEST_CASE("exp_vec8 equals exp_vec bit for bit, lane by lane (a NaN for a NaN)") {
  stream_engine e(12, stream_tag::neuron_noise, 0);
  std::vector<double> xs;
  for (int i = 0; i < 100000; ++i) xs.push_back(-800.0 + 1600.0 * e.uniform());
  for (int i = 0; i < 100000; ++i) xs.push_back(-1.0 + 2.0 * e.uniform());
  constexpr double inf = std::numeric_limits<double>::infinity();
  for (double x : {0.0, -0.0, 708.9, -707.9, 709.0, -708.0, 709.5, -708.5, inf, -inf, std::nan(""), 1e-310, -1e-310})
    xs.push_back(x);
  while (xs.size() % 8 != 0) xs.push_back(0.25);
  std::size_t differ = 0;
  for (std::size_t i = 0; i < xs.size(); i += 8) {
    double out[8];
    _mm512_storeu_pd(out, exp_vec8(_mm512_loadu_pd(xs.data() + i)));
    for (int l = 0; l < 8; ++l) {
      const double ref = exp_vec(xs[i + std::size_t(l)]);
      // bit for bit; a NaN as a NaN (its sign follows the operand order of
      // the last multiplication, which the compiler may swap)
      const bool d = std::isnan(ref) ? !std::isnan(out[l]) : std::memcmp(&out[l], &ref, sizeof(double)) != 0;
      if (d) MESSAGE("x = " << xs[i + std::size_t(l)] << ": " << out[l] << " against " << ref);
      differ += d;
    }
  }
  CHECK(differ == 0);
}
#endif
