#pragma once
// exp() that the compiler can vectorise. glibc's exp is a scalar call, and GCC
// only uses its vector variants (libmvec) under -ffast-math, which we do not
// use (it would break IEEE semantics elsewhere). This is the classic
// Cody-Waite reduction exp(x) = 2^n exp(r), n = round(x / ln 2),
// |r| <= ln2/2, with a degree-13 Taylor polynomial (truncation < 5e-18) and
// 2^n built from bits: plain arithmetic, so loops over neurons vectorise.
// Accuracy: within 2 ulp of std::exp on [-708, 709] (tests/core/vector_math_test.cpp).
#include <bit>
#include <cstdint>

namespace apical {

inline double exp_vec(double x) {
  constexpr double log2e = 1.4426950408889634074;
  constexpr double ln2_hi = 6.93147180369123816490e-01;   // fdlibm: trailing bits zero, n*ln2_hi exact
  constexpr double ln2_lo = 1.90821492927058770002e-10;
  constexpr double shifter = 0x1.8p52;                    // adding it rounds to an integer in the low bits
  x = x < -708.0 ? -708.0 : (x > 709.0 ? 709.0 : x);
  const double t = x * log2e + shifter;
  const double n = t - shifter;
  const double r = (x - n * ln2_hi) - n * ln2_lo;
  double p = 1.0 / 6227020800.0;   // 1/13!
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  // t's low mantissa bits hold 2^51 + n; shifting left by 52 drops everything
  // else and leaves the exponent field n + 1023: the double 2^n
  const std::uint64_t bits = (std::bit_cast<std::uint64_t>(t) + 1023u) << 52;
  return p * std::bit_cast<double>(bits);
}

}  // namespace apical
