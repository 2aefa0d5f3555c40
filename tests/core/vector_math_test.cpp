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

TEST_CASE("exprel_neg is (1 - e^-x) / x within 1 ulp on the polynomial's interval, and the expression outside it") {
  // reference in long double (x87: 64-bit mantissa), 2^-11 of a double's ulp
  auto reference = [](double x) {
    const long double lx = x;
    return x == 0.0 ? 1.0L : -std::expm1(-lx) / lx;
  };
  stream_engine e(13, stream_tag::neuron_noise, 0);
  double worst = 0;
  auto check = [&](double x) {
    REQUIRE(exprel_neg_in_poly(x));
    const long double r = reference(x);
    const double rd = static_cast<double>(r);
    const double ulp = std::nextafter(rd, INFINITY) - rd;
    worst = std::max(worst, static_cast<double>(std::abs(static_cast<long double>(exprel_neg(x)) - r) / ulp));
  };
  for (int i = 0; i < 200000; ++i) check(0.5 * e.uniform());
  for (int i = 0; i < 20000; ++i) check(1e-3 * e.uniform());
  for (double x : {0.0, 5e-324, 1e-300, 1e-17, 1e-8, 0.25, 0.4999999999, 0.5}) check(x);
  MESSAGE("largest error on [0, 0.5]: " << worst << " ulp");
  CHECK(worst <= 1.0);
  CHECK(exprel_neg(0.0) == 1.0);
  // outside: the expression itself, for large, negative and just-beyond arguments
  for (double x : {std::nextafter(0.5, 1.0), 0.75, 3.0, 40.0, 800.0, -1e-3, -0.3, -2.0}) {
    CHECK_FALSE(exprel_neg_in_poly(x));
    CHECK(exprel_neg(x) == (1.0 - exp_vec(-x)) / x);
    CHECK(exprel_neg(x) == doctest::Approx(static_cast<double>(reference(x))).epsilon(1e-13));
  }
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

#if defined(__AVX512F__)
TEST_CASE("exprel_neg8 equals exprel_neg bit for bit, lane by lane, inside and outside the polynomial's interval") {
  stream_engine e(14, stream_tag::neuron_noise, 0);
  std::vector<double> xs;
  for (int i = 0; i < 100000; ++i) xs.push_back(0.5 * e.uniform());
  // vectors with one lane outside (beyond 0.5, negative): the expression there only
  for (int i = 0; i < 20000; ++i) xs.push_back(i % 8 == 3 ? (i % 16 == 3 ? 0.5 + 5.0 * e.uniform() : -0.5 * e.uniform()) : 0.5 * e.uniform());
  for (double x : {0.0, 0.5, std::nextafter(0.5, 1.0), 1e-300, 700.0, std::nan(""), -1e-9, 0.1}) xs.push_back(x);
  while (xs.size() % 8 != 0) xs.push_back(0.25);
  std::size_t differ = 0;
  for (std::size_t i = 0; i < xs.size(); i += 8) {
    double out[8];
    _mm512_storeu_pd(out, exprel_neg8(_mm512_loadu_pd(xs.data() + i)));
    for (int l = 0; l < 8; ++l) {
      const double ref = exprel_neg(xs[i + std::size_t(l)]);
      const bool d = std::isnan(ref) ? !std::isnan(out[l]) : std::memcmp(&out[l], &ref, sizeof(double)) != 0;
      if (d) MESSAGE("x = " << xs[i + std::size_t(l)] << ": " << out[l] << " against " << ref);
      differ += d;
    }
  }
  CHECK(differ == 0);
}
#endif
