#pragma once
// log and pow (for x >= 0, mu >= 0) in two forms that give the same bits: a
// scalar one and one of eight lanes (AVX-512), as exp_vec / exp_vec8.
// glibc's pow is a scalar call, and the power-law STDP rule needs one per pre
// spike at every synapse (the depression F- = w~^mu_minus): in plastic Brunel
// those calls were a sixth of the run, one after another (bench/RESULTS.md).
// Eight depressions at a time in a vector take a fraction of that, and the
// scalar twin keeps the result independent of the instruction set and of the
// path a synapse takes.
//
// log is fdlibm's e_log.c: x = 2^k m with m in [sqrt(2)/2, sqrt(2)), f = m - 1,
// s = f / (2 + f), log(1 + f) = f - s (f - R(s^2)) with fdlibm's degree-7
// minimax R, then k ln2 in two parts; the polynomial's steps use std::fma
// (correctly rounded on every target: see core/vector_math.hpp). Within 1 ulp
// of std::log (tests/core/vector_math_test.cpp). The exponent and mantissa
// come from the bits in the scalar form and from getexp / getmant in the
// vector form: exact either way, so the same m and k.
//
// pow(x, mu) = exp_vec(mu log x): the rounding of mu log x (and log's own
// error) becomes a relative error of about |mu log x| ulp in the result, a few
// ulp for the weights STDP uses (x >= 1e-10 and mu <= 1: 23 ulp at most), far
// inside the 1e-12 the rules are tested to. Exact where std::pow is: pow(x, 0)
// = 1, pow(0, mu > 0) = 0, pow(1, mu) = 1. Results below 2^-1021 are not
// denormalised (exp_vec's clamp) and a negative x or a NaN gives a NaN.
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "core/vector_math.hpp"

namespace apical {

namespace log_detail {
inline constexpr double ln2_hi = 6.93147180369123816490e-01;   // fdlibm: k ln2_hi exact for |k| < 2^11
inline constexpr double ln2_lo = 1.90821492927058770002e-10;
inline constexpr double sqrt2 = 1.41421356237309504880;
inline constexpr double two54 = 0x1p54;   // scales a denormal up to a normal number
/// fdlibm's Lg7 ... Lg1, highest degree first: R(z) = z (Lg1 + z (Lg2 + ... + z Lg7))
inline constexpr double poly[7] = {1.479819860511658591e-01, 1.531383769920937332e-01, 1.818357216161805012e-01,
                                   2.222219843214978396e-01, 2.857142874366239149e-01, 3.999999999940941908e-01,
                                   6.666666666666735130e-01};

/// log(1 + f) + k ln2 from f = m - 1 and k (as doubles), the operations both forms share.
inline double finish(double f, double k) {
  const double s = f / (2.0 + f);
  const double z = s * s;
  double r = poly[0];
#pragma GCC unroll 8   // before vectorisation, as exp_vec's
  for (int i = 1; i < 7; ++i) r = std::fma(r, z, poly[i]);
  r = r * z;
  const double hfsq = 0.5 * f * f;
  return k * ln2_hi - ((hfsq - (s * (hfsq + r) + k * ln2_lo)) - f);
}
}  // namespace log_detail

/// Natural logarithm of a finite x > 0 (x = 0 gives a large negative number,
/// not -inf: callers that can see 0 select their own result). Without
/// branches, so that a loop over it vectorises where AVX-512's twin is not
/// there (AVX2).
inline double log_vec(double x) {
  using namespace log_detail;
  const std::uint64_t raw = std::bit_cast<std::uint64_t>(x);
  const bool denormal = raw >> 52 == 0;   // (or zero): scaled up first
  const std::uint64_t bits = denormal ? std::bit_cast<std::uint64_t>(x * two54) : raw;
  // the exponent field as a double, exactly: the bits of 2^52 + e, less 2^52
  // (no integer conversion, which AVX2 lacks for 64-bit lanes)
  const double e = std::bit_cast<double>((bits >> 52) | 0x4330'0000'0000'0000ULL) - 0x1p52;
  double k = (denormal ? -54.0 : 0.0) + (e - 1023.0);
  // the mantissa in [1, 2): the exponent field of 1.0
  double m = std::bit_cast<double>((bits & 0x000f'ffff'ffff'ffffULL) | 0x3ff0'0000'0000'0000ULL);
  const bool high = m >= sqrt2;
  m = high ? m * 0.5 : m;
  k = high ? k + 1.0 : k;
  return finish(m - 1.0, k);
}

/// x^mu for x >= 0 and mu >= 0, as described above; the special cases as
/// selects, without branches (as log_vec).
inline double pow_vec(double x, double mu) {
  double p = exp_vec(mu * log_vec(x));
  p = x == 0.0 ? 0.0 : p;
  p = x == std::numeric_limits<double>::infinity() ? x : p;
  p = x >= 0.0 ? p : std::numeric_limits<double>::quiet_NaN();   // negative (not -0) or NaN
  return mu == 0.0 ? 1.0 : p;
}

#if defined(__AVX512F__)
/// log_vec of eight doubles, bit-identical lane by lane.
inline __m512d log_vec8(__m512d x) {
  using namespace log_detail;
  // getmant's [1, 2) and getexp's floor(log2 x) are exact, for denormals too
  __m512d m = _mm512_maskz_getmant_pd(0xFF, x, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_zero);
  __m512d k = _mm512_maskz_getexp_pd(0xFF, x);
  const __mmask8 high = _mm512_cmp_pd_mask(m, _mm512_set1_pd(sqrt2), _CMP_GE_OQ);
  m = _mm512_mask_mul_pd(m, high, m, _mm512_set1_pd(0.5));
  k = _mm512_mask_add_pd(k, high, k, _mm512_set1_pd(1.0));
  const __m512d f = _mm512_sub_pd(m, _mm512_set1_pd(1.0));
  const __m512d s = _mm512_div_pd(f, _mm512_add_pd(_mm512_set1_pd(2.0), f));
  const __m512d z = _mm512_mul_pd(s, s);
  __m512d r = _mm512_set1_pd(poly[0]);
  for (int i = 1; i < 7; ++i) r = _mm512_fmadd_pd(r, z, _mm512_set1_pd(poly[i]));
  r = _mm512_mul_pd(r, z);
  const __m512d hfsq = _mm512_mul_pd(_mm512_mul_pd(_mm512_set1_pd(0.5), f), f);
  const __m512d inner = _mm512_add_pd(_mm512_mul_pd(s, _mm512_add_pd(hfsq, r)), _mm512_mul_pd(k, _mm512_set1_pd(ln2_lo)));
  return _mm512_sub_pd(_mm512_mul_pd(k, _mm512_set1_pd(ln2_hi)), _mm512_sub_pd(_mm512_sub_pd(hfsq, inner), f));
}

/// pow_vec of eight doubles (one exponent), bit-identical lane by lane.
inline __m512d pow_vec8(__m512d x, double mu) {
  if (mu == 0.0) return _mm512_set1_pd(1.0);
  __m512d p = exp_vec8(_mm512_mul_pd(_mm512_set1_pd(mu), log_vec8(x)));
  const __m512d zero = _mm512_setzero_pd(), inf = _mm512_set1_pd(std::numeric_limits<double>::infinity());
  p = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(x, zero, _CMP_EQ_OQ), p, zero);
  p = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(x, inf, _CMP_EQ_OQ), p, inf);
  // negative (not -0) or NaN
  return _mm512_mask_blend_pd(_mm512_cmp_pd_mask(x, zero, _CMP_NGE_UQ), p,
                              _mm512_set1_pd(std::numeric_limits<double>::quiet_NaN()));
}
#endif

}  // namespace apical
