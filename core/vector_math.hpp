#pragma once
// exp() that the compiler can vectorise. glibc's exp is a scalar call, and GCC
// only uses its vector variants (libmvec) under -ffast-math, which we do not
// use (it would break IEEE semantics elsewhere). This is the classic
// Cody-Waite reduction exp(x) = 2^n exp(r), n = round(x / ln 2),
// |r| <= ln2/2, with a degree-11 polynomial for exp(r) and 2^n built from
// bits: plain arithmetic, so loops over neurons vectorise.
//
// The polynomial is the Chebyshev interpolant of exp on [-ln2/2, ln2/2]
// (mpmath.chebyfit at 50 digits, coefficients rounded to double): error
// 3.2e-18, against 5e-18 for the degree-13 Taylor polynomial used before.
// The reduction and the polynomial use std::fma explicitly: one rounding per
// step instead of two, and two fewer steps, so a third fewer operations
// (lif_cond_exp's update takes 20% less time; bench/RESULTS.md). std::fma is
// correctly rounded on every target (an instruction where there is one,
// glibc's exact software fma where not), so results still do not depend on
// the instruction set, as -ffp-contract=off ensures elsewhere.
// Accuracy: within 1 ulp of std::exp on [-708, 709] (tests/core/vector_math_test.cpp).
#include <bit>
#include <cmath>
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
  const double r = std::fma(-n, ln2_lo, std::fma(-n, ln2_hi, x));
  double p = 0x1.af631d0059becp-26;   // 2.5110e-8  (1/11! = 2.5052e-8)
  p = std::fma(p, r, 0x1.28b4057f44145p-22);
  p = std::fma(p, r, 0x1.71ddf5749d126p-19);
  p = std::fma(p, r, 0x1.a01991ac8730ap-16);
  p = std::fma(p, r, 0x1.a01a01b14378fp-13);
  p = std::fma(p, r, 0x1.6c16c187fbe02p-10);
  p = std::fma(p, r, 0x1.111111110f225p-7);
  p = std::fma(p, r, 0x1.555555554f0cfp-5);
  p = std::fma(p, r, 0x1.555555555555ap-3);
  p = std::fma(p, r, 0x1.0000000000011p-1);
  p = std::fma(p, r, 1.0);
  p = std::fma(p, r, 1.0);
  // t's low mantissa bits hold 2^51 + n; shifting left by 52 drops everything
  // else and leaves the exponent field n + 1023: the double 2^n
  const std::uint64_t bits = (std::bit_cast<std::uint64_t>(t) + 1023u) << 52;
  return p * std::bit_cast<double>(bits);
}

}  // namespace apical
