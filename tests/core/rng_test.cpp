#include <doctest/doctest.h>

#include <cmath>

#include "core/rng.hpp"
#include "neurons/sources.hpp"

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
