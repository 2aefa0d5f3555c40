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

#include "core/simd8.hpp"

namespace apical {

namespace exp_detail {
inline constexpr double log2e = 1.4426950408889634074;
inline constexpr double ln2_hi = 6.93147180369123816490e-01;   // fdlibm: trailing bits zero, n*ln2_hi exact
inline constexpr double ln2_lo = 1.90821492927058770002e-10;
inline constexpr double shifter = 0x1.8p52;                    // adding it rounds to an integer in the low bits
inline constexpr double lowest = -708.0, highest = 709.0;      // clamp: 2^n stays a normal double
/// Chebyshev coefficients, highest degree first (the first 2.5110e-8 against 1/11! = 2.5052e-8)
inline constexpr double poly[12] = {0x1.af631d0059becp-26, 0x1.28b4057f44145p-22, 0x1.71ddf5749d126p-19,
                                    0x1.a01991ac8730ap-16, 0x1.a01a01b14378fp-13, 0x1.6c16c187fbe02p-10,
                                    0x1.111111110f225p-7,  0x1.555555554f0cfp-5,  0x1.555555555555ap-3,
                                    0x1.0000000000011p-1,  1.0,                   1.0};
}  // namespace exp_detail

inline double exp_vec(double x) {
  using namespace exp_detail;
  x = x < lowest ? lowest : (x > highest ? highest : x);
  const double t = x * log2e + shifter;
  const double n = t - shifter;
  const double r = std::fma(-n, ln2_lo, std::fma(-n, ln2_hi, x));
  double p = poly[0];
  // unrolled before vectorisation, or a loop over exp_vec stays scalar (GCC:
  // "loop nest containing two or more consecutive inner loops"; the AVX2
  // form of plasticity/stdp_synapses.cpp's power-law lanes)
#pragma GCC unroll 16
  for (int k = 1; k < 12; ++k) p = std::fma(p, r, poly[k]);
  // t's low mantissa bits hold 2^51 + n; shifting left by 52 drops everything
  // else and leaves the exponent field n + 1023: the double 2^n
  const std::uint64_t bits = (std::bit_cast<std::uint64_t>(t) + 1023u) << 52;
  return p * std::bit_cast<double>(bits);
}

#if defined(__AVX512F__)
/// exp_vec of eight doubles, for loops written with AVX-512 intrinsics: the
/// same operations in the same order, so bit-identical to exp_vec lane by lane
/// (tests/core/vector_math_test.cpp); a NaN stays a NaN (the clamp is two
/// masked selects, not min/max, which would turn it into the bound).
inline __m512d exp_vec8(__m512d x) {
  using namespace exp_detail;
  const __m512d lo = _mm512_set1_pd(lowest), hi = _mm512_set1_pd(highest);
  x = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(x, lo, _CMP_LT_OQ), x, lo);
  x = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(x, hi, _CMP_GT_OQ), x, hi);
  const __m512d t = _mm512_add_pd(_mm512_mul_pd(x, _mm512_set1_pd(log2e)), _mm512_set1_pd(shifter));
  const __m512d n = _mm512_sub_pd(t, _mm512_set1_pd(shifter));
  // fma(-n, c, y) = -(n c) + y, rounded once: fnmadd
  const __m512d r = _mm512_fnmadd_pd(n, _mm512_set1_pd(ln2_lo), _mm512_fnmadd_pd(n, _mm512_set1_pd(ln2_hi), x));
  __m512d p = _mm512_set1_pd(poly[0]);
  for (int k = 1; k < 12; ++k) p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(poly[k]));
  // the zero-masked shift: GCC 12's plain _mm512_slli_epi64 starts from an
  // undefined vector and warns (-Wmaybe-uninitialized) where this is inlined
  const __m512i bits = _mm512_maskz_slli_epi64(0xFF, _mm512_add_epi64(_mm512_castpd_si512(t), _mm512_set1_epi64(1023)), 52);
  return _mm512_mul_pd(p, _mm512_castsi512_pd(bits));
}
#endif

/// exprel_neg(x) = (1 - e^{-x}) / x, the relaxation factor of exponential integration: over a
/// step of length h, dV/dt = (V_inf - V) / tau moves V by (V_inf - V)(1 - e^{-x})
/// with x = h / tau, which is (V_inf - V) x exprel_neg(x); for a conductance-based
/// neuron (V_inf - V) x = (num - g V) h / C (V_inf = num / g, tau = C / g) needs
/// no division, and on [0, 0.5] a polynomial replaces exp and division alike.
namespace exprel_detail {
inline constexpr double poly_max = 0.5;   // the polynomial's interval is [0, poly_max]
/// Chebyshev interpolant of degree 10 on [0, 0.5] (mpmath.chebyfit at 60 digits,
/// error 3.9e-19; coefficients rounded to double), highest degree first. The
/// Taylor coefficients it approximates are (-1)^k / (k + 1)!.
inline constexpr double poly[11] = {0x1.56af857b3464cp-26,  -0x1.21a4651a0406dp-22, 0x1.715a9f46437a6p-19,
                                    -0x1.a0133b48e4a83p-16, 0x1.a019c8090f820p-13,  -0x1.6c16c030f1c4fp-10,
                                    0x1.1111110cdc55dp-7,   -0x1.55555555448cap-5,  0x1.555555555532fp-3,
                                    -0x1.ffffffffffffdp-2,  1.0};
}  // namespace exprel_detail

/// s exprel_neg(s g) = (1 - e^{-s g}) / g for a fixed scale s > 0: lif_cond_exp's
/// factor of (num - g_tot V), s = h / C_m, g = g_tot. Where 0 <= s g <= 0.5 a
/// polynomial in g itself (exprel_neg's coefficients c_k times s^(k+1), computed
/// once: the loop saves the two multiplications by s, 8% of COBA's update;
/// bench/RESULTS.md), elsewhere the expression s (1 - exp_vec(-x)) / x, x = s g.
/// Accuracy: within 1 ulp on the polynomial's interval for every scale tested,
/// s = 1 (the coefficients themselves) and 4e-4 to 3 (measured 0.91 ulp at most;
/// tests/core/vector_math_test.cpp).
class exprel_neg_scaled {
 public:
  explicit exprel_neg_scaled(double s)
      : s_(s), g_max_(exprel_detail::poly_max / s), g_max_bits_(std::bit_cast<std::uint64_t>(g_max_)) {
    double power = s;   // s^(k+1) for the coefficient of g^k
    for (int i = 10; i >= 0; --i, power *= s) a_[i] = exprel_detail::poly[i] * power;
  }
  /// Whether g lies in the polynomial's interval [+0, g_max]: one unsigned
  /// comparison of the bit patterns, which order as the values for doubles
  /// from +0 up, while those of -0, the negatives and the NaNs lie above
  /// (where two floating-point comparisons took COBA's update 4% longer:
  /// bench/RESULTS.md).
  bool in_poly(double g) const { return std::bit_cast<std::uint64_t>(g) <= g_max_bits_; }
  /// The polynomial alone (for g in its interval).
  double poly(double g) const {
    double p = a_[0];
    // unrolled before vectorisation: GCC left a loop over the member array in
    // place, and the neuron loop around it scalar (tests/check_vectorised.sh)
#pragma GCC unroll 16
    for (int k = 1; k < 11; ++k) p = std::fma(p, g, a_[k]);
    return p;
  }
  /// s exprel_neg(s g) for any g != 0 (and s at 0).
  double operator()(double g) const { return in_poly(g) ? poly(g) : expression(g); }

#if defined(APICAL_SIMD8)
  /// The same for eight doubles (core/simd8.hpp), bit-identical lane by lane.
  /// The lanes outside the interval (in COBA one vector in about 20,000 has
  /// one) take the scalar expression, lane by lane.
  simd8::vec operator()(simd8::vec g) const {
    simd8::vec p = simd8::set1(a_[0]);
    for (int k = 1; k < 11; ++k) p = simd8::fmadd(p, g, simd8::set1(a_[k]));
    const unsigned outside = simd8::above_bits(g, g_max_bits_);
    if (outside == 0) [[likely]]
      return p;
    alignas(64) double pv[8], gv[8];
    simd8::store(pv, p);
    simd8::store(gv, g);
    for (unsigned m = outside; m != 0; m &= m - 1) {
      const int lane = __builtin_ctz(m);
      pv[lane] = expression(gv[lane]);
    }
    return simd8::load(pv);
  }
  /// Two vectors' factors, their multiply-add chains side by side: each chain
  /// is ten dependent steps, so a lone one stalls a core whose window holds
  /// too few of them (COBA's update on an AVX2 Zen 3 host: ~10% faster than
  /// one vector at a time, three at a time slower; bench/RESULTS.md).
  struct two {
    simd8::vec first, second;
  };
  two operator()(simd8::vec g0, simd8::vec g1) const {
    simd8::vec p0 = simd8::set1(a_[0]), p1 = p0;
    for (int k = 1; k < 11; ++k) {
      const simd8::vec a = simd8::set1(a_[k]);
      p0 = simd8::fmadd(p0, g0, a);
      p1 = simd8::fmadd(p1, g1, a);
    }
    if ((simd8::above_bits(g0, g_max_bits_) | simd8::above_bits(g1, g_max_bits_)) == 0) [[likely]]
      return {p0, p1};
    return {(*this)(g0), (*this)(g1)};
  }
#endif

 private:
  /// s (1 - e^{-x}) / x, x = s g: beyond the polynomial's interval the
  /// subtraction loses at most a bit (e^{-x} <= 0.61). Below it (x < 0: a
  /// negative conductance sum, only from unphysical initial values) it cancels
  /// for small |x|, as the quotient num / g_tot it replaces blew up there.
  /// At x = 0 (g = -0, or a negative g so small that s g rounds to zero) the
  /// limit s, as the polynomial gives at +0.
  double expression(double g) const {
    const double x = s_ * g;
    return x == 0.0 ? s_ : s_ * ((1.0 - exp_vec(-x)) / x);
  }

  double a_[11];   // coefficient of g^(10 - i)
  double s_, g_max_;
  std::uint64_t g_max_bits_;   // g_max's bit pattern
};

}  // namespace apical
