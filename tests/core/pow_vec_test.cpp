// log_vec and pow_vec (core/pow_vec.hpp): accuracy against long double
// references, exact special values, and the eight-lane forms bit-identical to
// the scalar ones lane by lane.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/pow_vec.hpp"
#include "core/rng.hpp"

using namespace apical;

namespace {

/// |a - ref| in ulps of ref rounded to double (x87 long double: 11 more bits).
double ulps(double a, long double ref) {
  const double r = std::abs(static_cast<double>(ref));
  const double ulp = std::nextafter(r, INFINITY) - r;
  return static_cast<double>(std::abs(static_cast<long double>(a) - ref) / ulp);
}

}  // namespace

TEST_CASE("log_vec is within 1 ulp of log over the whole double range, denormals included") {
  stream_engine e(21, stream_tag::neuron_noise, 0);
  double worst = 0;
  auto check = [&](double x) { worst = std::max(worst, ulps(log_vec(x), std::log(static_cast<long double>(x)))); };
  for (int i = 0; i < 300000; ++i) check(std::exp2(-1074.0 + 2097.0 * e.uniform()));   // 2^-1074 .. 2^1023
  for (int i = 0; i < 300000; ++i) check(0.5 + 1.5 * e.uniform());                      // log near 0
  for (double x : {5e-324, 2.2250738585072014e-308, 2.225073858507201e-308, 0.7071067811865475, 0.7071067811865476,
                   1.414213562373095, 1.4142135623730951, 1.0 - 1e-16, 1.0 + 2.3e-16, 2.0, 0.5, 1e300})
    check(x);
  MESSAGE("largest error: " << worst << " ulp");
  CHECK(worst <= 1.0);
  CHECK(log_vec(1.0) == 0.0);
  CHECK(log_vec(2.0) == std::log(2.0));
}

TEST_CASE("pow_vec is x^mu within 2 (1 + |mu log x|) ulp, exact where pow is") {
  // The bound: exp_vec's ulp, and log's error and the rounding of mu log x,
  // each an absolute error in the exponent that becomes a relative one in the
  // result (core/pow_vec.hpp). STDP's power law uses x in [0, 1], mu ~0.4-1.
  stream_engine e(22, stream_tag::neuron_noise, 0);
  double worst = 0, worst_scaled = 0;
  for (int i = 0; i < 300000; ++i) {
    const double x = std::exp2(-40.0 * e.uniform()), mu = 2.0 * e.uniform();
    const double err = ulps(pow_vec(x, mu), std::pow(static_cast<long double>(x), static_cast<long double>(mu)));
    worst = std::max(worst, err);
    worst_scaled = std::max(worst_scaled, err / (1.0 + std::abs(mu * std::log(x))));
  }
  MESSAGE("largest error " << worst << " ulp; relative to 1 + |mu log x|: " << worst_scaled);
  CHECK(worst_scaled <= 2.0);
  for (double x : {0.0, 1e-300, 0.3, 1.0, 7.0}) CHECK(pow_vec(x, 0.0) == 1.0);
  for (double mu : {0.4, 1.0, 2.5}) {
    CHECK(pow_vec(0.0, mu) == 0.0);
    CHECK(pow_vec(-0.0, mu) == 0.0);
    CHECK(pow_vec(1.0, mu) == 1.0);
    CHECK(std::isnan(pow_vec(-0.5, mu)));
    CHECK(std::isnan(pow_vec(std::nan(""), mu)));
    CHECK(pow_vec(INFINITY, mu) == INFINITY);
  }
  CHECK(pow_vec(0.25, 0.5) == doctest::Approx(0.5).epsilon(1e-15));
}

#if defined(__AVX512F__)
TEST_CASE("log_vec8 and pow_vec8 give log_vec's and pow_vec's bits lane by lane") {
  stream_engine e(23, stream_tag::neuron_noise, 0);
  std::vector<double> xs;
  for (int i = 0; i < 40000; ++i) xs.push_back(std::exp2(-1074.0 + 2097.0 * e.uniform()));
  for (int i = 0; i < 40000; ++i) xs.push_back(e.uniform());
  const std::vector<double> special = {0.0, -0.0, 5e-324, 1e-310, 1.0, 0.7071067811865476, 1.4142135623730951,
                                       INFINITY, -1.0, std::nan(""), 2.0, 0.5};
  xs.insert(xs.end(), special.begin(), special.end());
  while (xs.size() % 8) xs.push_back(0.75);
  std::size_t log_differ = 0, pow_differ = 0, compared = 0;
  alignas(64) double out[8];
  for (double mu : {0.0, 0.4, 1.0, 1.7}) {
    for (std::size_t i = 0; i < xs.size(); i += 8) {
      const __m512d x = _mm512_loadu_pd(&xs[i]);
      _mm512_store_pd(out, pow_vec8(x, mu));
      for (int l = 0; l < 8; ++l)
        pow_differ += std::bit_cast<std::uint64_t>(out[l]) != std::bit_cast<std::uint64_t>(pow_vec(xs[i + l], mu));
      if (mu != 0.0) continue;
      _mm512_store_pd(out, log_vec8(x));
      for (int l = 0; l < 8; ++l) {
        const double x1 = xs[i + l];
        if (!(x1 > 0.0 && x1 < INFINITY)) continue;   // log_vec's domain
        ++compared;
        log_differ += std::bit_cast<std::uint64_t>(out[l]) != std::bit_cast<std::uint64_t>(log_vec(x1));
      }
    }
  }
  CHECK(compared > 80000);
  CHECK(log_differ == 0);
  CHECK(pow_differ == 0);
}
#endif
