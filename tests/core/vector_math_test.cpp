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

TEST_CASE("exprel_neg_scaled is (1 - e^-sg) / g within 1 ulp at every scale tested, and the expression outside") {
  // reference in long double (x87: 64-bit mantissa), 2^-11 of a double's ulp
  auto reference = [](double s, double g) {
    const long double x = static_cast<long double>(s) * g;
    return x == 0.0L ? static_cast<long double>(s) : -std::expm1(-x) / static_cast<long double>(g);
  };
  stream_engine e(13, stream_tag::neuron_noise, 0);
  // s = 1: the polynomial's own coefficients; 0.1 / 200 and 0.1 / 250: COBA's and
  // NEST's default h / C_m; the others far from them
  for (double s : {1.0, 0.1 / 200.0, 0.1 / 250.0, 1e-3, 0.7, 3.0}) {
    const exprel_neg_scaled f(s);
    double worst = 0;
    auto check = [&](double g) {
      REQUIRE(f.in_poly(g));
      const long double r = reference(s, g);
      const double rd = static_cast<double>(r);
      const double ulp = std::nextafter(rd, INFINITY) - rd;
      worst = std::max(worst, static_cast<double>(std::abs(static_cast<long double>(f(g)) - r) / ulp));
    };
    const double g_max = 0.5 / s;
    for (int i = 0; i < 100000; ++i) check(g_max * e.uniform());
    for (int i = 0; i < 10000; ++i) check(1e-3 * g_max * e.uniform());
    for (double g : {0.0, 5e-324, 1e-300, 1e-17 * g_max, 0.5 * g_max, 0.9999999 * g_max}) check(g);
    INFO("s = " << s);
    MESSAGE("s = " << s << ": largest error on the polynomial's interval " << worst << " ulp");
    CHECK(worst <= 1.0);
    CHECK(f(0.0) == s);
    // -0: outside the interval (its bit pattern lies above), the expression's limit
    CHECK_FALSE(f.in_poly(-0.0));
    CHECK(f(-0.0) == s);
    CHECK_FALSE(f.in_poly(std::nan("")));
    CHECK_FALSE(f.in_poly(-std::nan("")));
    CHECK_FALSE(f.in_poly(INFINITY));
    // outside: the expression itself, for large, negative and just-beyond arguments
    for (double g : {std::nextafter(g_max, INFINITY), 1.5 * g_max, 6.0 * g_max, 80.0 * g_max, -2e-3 * g_max, -0.6 * g_max, -4.0 * g_max}) {
      CHECK_FALSE(f.in_poly(g));
      CHECK(f(g) == s * ((1.0 - exp_vec(-(s * g))) / (s * g)));
      CHECK(f(g) == doctest::Approx(static_cast<double>(reference(s, g))).epsilon(1e-13));
    }
  }
}

#if defined(APICAL_SIMD8)
#include <cstring>
#include <limits>

namespace {
/// Lanes where the eight-double form `vec` (which writes eight results to out
/// from eight arguments) differs from the scalar form
/// `scalar` over xs (a multiple of 8 long): bit for bit, a NaN as a NaN (its
/// sign follows the operand order of the last multiplication, which the
/// compiler may swap).
template <class Vec, class Scalar>
std::size_t lanes_differing(const std::vector<double>& xs, Vec vec, Scalar scalar) {
  std::size_t differ = 0;
  for (std::size_t i = 0; i < xs.size(); i += 8) {
    double out[8];
    vec(xs.data() + i, out);
    for (std::size_t l = 0; l < 8; ++l) {
      const double ref = scalar(xs[i + l]);
      const bool d = std::isnan(ref) ? !std::isnan(out[l]) : std::memcmp(&out[l], &ref, sizeof(double)) != 0;
      if (d) MESSAGE("x = " << xs[i + l] << ": " << out[l] << " against " << ref);
      differ += d;
    }
  }
  return differ;
}
}  // namespace
#endif

#if defined(__AVX512F__)
TEST_CASE("exp_vec8 equals exp_vec bit for bit, lane by lane (a NaN for a NaN)") {
  stream_engine e(12, stream_tag::neuron_noise, 0);
  std::vector<double> xs;
  for (int i = 0; i < 100000; ++i) xs.push_back(-800.0 + 1600.0 * e.uniform());
  for (int i = 0; i < 100000; ++i) xs.push_back(-1.0 + 2.0 * e.uniform());
  constexpr double inf = std::numeric_limits<double>::infinity();
  for (double x : {0.0, -0.0, 708.9, -707.9, 709.0, -708.0, 709.5, -708.5, inf, -inf, std::nan(""), 1e-310, -1e-310})
    xs.push_back(x);
  while (xs.size() % 8 != 0) xs.push_back(0.25);
  CHECK(lanes_differing(
            xs, [](const double* x, double* out) { _mm512_storeu_pd(out, exp_vec8(_mm512_loadu_pd(x))); },
            [](double x) { return exp_vec(x); }) == 0);
}
#endif

#if defined(APICAL_SIMD8)
TEST_CASE("exprel_neg_scaled of eight doubles (and of two vectors at once) equals the scalar form bit for bit, inside and outside the polynomial's interval") {
  stream_engine e(14, stream_tag::neuron_noise, 0);
  const double s = 0.1 / 200.0, g_max = 0.5 / s;
  const exprel_neg_scaled f(s);
  std::vector<double> gs;
  for (int i = 0; i < 100000; ++i) gs.push_back(g_max * e.uniform());
  // vectors with one lane outside (beyond g_max, negative): the expression there only
  for (int i = 0; i < 20000; ++i)
    gs.push_back(i % 8 == 3 ? (i % 16 == 3 ? g_max * (1.0 + 10.0 * e.uniform()) : -g_max * e.uniform()) : g_max * e.uniform());
  for (double g : {0.0, g_max, std::nextafter(g_max, INFINITY), 1e-300, 1e6, std::nan(""), -1e-9, 100.0, -0.0, -5e-324})
    gs.push_back(g);
  while (gs.size() % 8 != 0) gs.push_back(0.25 * g_max);
  CHECK(lanes_differing(gs, [&](const double* g, double* out) { simd8::store(out, f(simd8::load(g))); }, [&](double g) { return f(g); }) == 0);
  // two vectors side by side (lif_cond_exp's loop), with a lane outside in
  // either, both or neither: the pairs (i, i + 8) cover each case
  while (gs.size() % 16 != 0) gs.push_back(0.5 * g_max);
  for (int pair = 0; pair < 2; ++pair)   // a lane outside in the first vector only, then in the second only
    for (int lane = 0; lane < 16; ++lane) gs.push_back(lane == 5 + 8 * pair ? 3.0 * g_max : g_max * e.uniform());
  std::vector<double> pairs(gs.size());
  for (std::size_t i = 0; i < gs.size(); i += 16) {
    const auto [first, second] = f(simd8::load(gs.data() + i), simd8::load(gs.data() + i + 8));
    simd8::store(pairs.data() + i, first);
    simd8::store(pairs.data() + i + 8, second);
  }
  std::size_t differ = 0;
  for (std::size_t i = 0; i < gs.size(); ++i) {
    const double ref = f(gs[i]);
    differ += std::isnan(ref) ? !std::isnan(pairs[i]) : std::memcmp(&pairs[i], &ref, sizeof(double)) != 0;
  }
  CHECK(differ == 0);
}
#endif
