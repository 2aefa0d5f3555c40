#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "core/rng.hpp"
#include "neurons/sources.hpp"
#include "helpers.hpp"

using namespace apical;

TEST_CASE("philox4x32-10 matches the Random123 known-answer vectors") {
  // Random123 kat_vectors: philox4x32 10 rounds
  auto z = philox4x32({0, 0, 0, 0}, {0, 0});
  CHECK(z == std::array<u32, 4>{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u});
  auto f = philox4x32({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}, {0xffffffffu, 0xffffffffu});
  CHECK(f == std::array<u32, 4>{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu});
  auto p = philox4x32({0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}, {0xa4093822u, 0x299f31d0u});
  CHECK(p == std::array<u32, 4>{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u});
}

TEST_CASE("a stream is a pure function of (seed, stream, counter)") {
  stream_engine a(7, stream_tag::weights, 3, 11), b(7, stream_tag::weights, 3, 11), c(7, stream_tag::delays, 3, 11);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const auto x = a(), y = b(), z = c();
    CHECK(x == y);
    differs |= x != z;
  }
  CHECK(differs);
  // pair_uniform equals the corresponding words of the stream's block
  stream_engine s(9, stream_tag::poisson_input, 2, 5 /* neuron pair 10,11 */);
  for (int k = 0; k < 3; ++k) {
    const u32 w0 = s(), w1 = s(), w2 = s(), w3 = s();
    CHECK(pair_uniform(9, stream_tag::poisson_input, 2, 10, k) == to_unit(w0, w1));
    CHECK(pair_uniform(9, stream_tag::poisson_input, 2, 11, k) == to_unit(w2, w3));
  }
}

TEST_CASE("pair_uniforms equals pair_uniform for every neuron of any range, in the vector and the scalar loop") {
  // ranges that start and end on odd neurons, shorter and longer than the
  // vector loop's sixteen neurons, far into the pair counter; steps whose
  // counter word wraps; seeds with both key words set
  std::vector<double> u(600);
  std::size_t checked = 0;
  for (std::uint64_t seed : {std::uint64_t{1}, std::uint64_t{0x9E3779B97F4A7C15}})
    for (std::size_t begin : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{1000001}})
      for (std::size_t len : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{15}, std::size_t{16},
                              std::size_t{17}, std::size_t{33}, std::size_t{531}})
        for (step_t k : {step_t{0}, step_t{12345}, step_t{(step_t{1} << 32) + 3}}) {
          pair_uniforms(seed, stream_tag::poisson_input, 42, begin, begin + len, k, u.data());
          for (std::size_t i = 0; i < len; ++i) {
            const double expected = pair_uniform(seed, stream_tag::poisson_input, 42, begin + i, k);
            if (u[i] != expected) {
              INFO("seed " << seed << ", neurons [" << begin << ", " << begin + len << "), step " << k << ", neuron " << begin + i);
              CHECK(u[i] == expected);
            }
            ++checked;
          }
        }
  CHECK(checked == 2 * 4 * 3 * (0 + 1 + 2 + 15 + 16 + 17 + 33 + 531));
}

TEST_CASE("uniforms have mean 1/2 and variance 1/12 within 5 sigma") {
  stream_engine e(1, stream_tag::connectivity, 0);
  const int n = 200000;
  double s = 0, s2 = 0;
  for (int i = 0; i < n; ++i) {
    const double u = e.uniform();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    s += u;
    s2 += u * u;
  }
  const double mean = s / n, var = s2 / n - mean * mean;
  CHECK(std::abs(mean - 0.5) < 5 * std::sqrt(1.0 / 12 / n));
  CHECK(std::abs(var - 1.0 / 12) < 5 * std::sqrt(1.0 / 180 / n));
}

TEST_CASE("poisson_table::add_draws adds weight * draw(u) to each element, as the scalar expression") {
  // uniforms at the CDF's steps and one ulp below them (cells that hold a
  // step: the vector loop's search lanes), mixed with random ones; lengths
  // below, at and past the vector loop's sixteen
  for (double mean : {0.002, 0.5, 2.0, 13.0, 120.0}) {
    poisson_table t(mean);
    std::vector<double> steps;
    for (double F = std::exp(-mean), p = F, k = 1; F < 1.0 - 1e-16 && k < 1000; p *= mean / k, F += p, ++k) {
      steps.push_back(F);
      steps.push_back(std::nextafter(F, 0.0));
    }
    stream_engine e(7, stream_tag::poisson_input, 3);
    std::vector<double> u(600), acc(600), expected(600);
    for (std::size_t i = 0; i < u.size(); ++i) u[i] = i % 3 == 0 ? steps[(i / 3) % steps.size()] : e.uniform();
    u[1] = 0.0;
    u[2] = std::nextafter(1.0, 0.0);
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{15}, std::size_t{16}, std::size_t{17}, std::size_t{31},
                          std::size_t{48}, std::size_t{531}}) {
      for (std::size_t i = 0; i < acc.size(); ++i) acc[i] = expected[i] = e.uniform() * 10.0 - 5.0;
      const double w = 0.1 + e.uniform();
      for (std::size_t i = 0; i < n; ++i) expected[i] += w * double(t.draw(u[i]));
      t.add_draws(u.data(), acc.data(), w, n);
      std::size_t differ = 0;
      for (std::size_t i = 0; i < acc.size(); ++i) differ += !test::same_bits(acc[i], expected[i]);
      INFO("mean " << mean << ", n " << n);
      CHECK(differ == 0);
    }
  }
}

TEST_CASE("poisson_table inverts the Poisson CDF exactly") {
  for (double mean : {0.002, 0.5, 2.0, 13.0, 120.0}) {
    poisson_table t(mean);
    // exact inversion: draw(u) is the smallest k with F(k) > u
    double F = std::exp(-mean), p = F;
    unsigned k = 0;
    for (double u : {0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999}) {
      while (F <= u) {
        ++k;
        p *= mean / k;
        F += p;
      }
      CHECK(t.draw(u) == k);
    }
    // sample mean and variance within 5 sigma
    stream_engine e(3, stream_tag::poisson_input, 1);
    const int n = 100000;
    double s = 0, s2 = 0;
    for (int i = 0; i < n; ++i) {
      const double x = t.draw(e.uniform());
      s += x;
      s2 += x * x;
    }
    const double m = s / n;
    CHECK(std::abs(m - mean) < 5 * std::sqrt(mean / n) + 1e-12);
    CHECK(std::abs((s2 / n - m * m) - mean) < 5 * mean * std::sqrt(2.0 / n) + 5 * std::sqrt(mean / n));
  }
}
