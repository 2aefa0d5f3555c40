#pragma once
// Eight doubles as one value, for the neuron loops written with intrinsics
// (lif_exp, lif_cond_exp and their clamp and threshold, neurons/grid_threshold.hpp):
// one __m512d where compiled with AVX-512, two __m256d where compiled with AVX2
// and FMA (x86-64-v3: Zen 3, Haswell and later). One loop body serves both.
//
// Why two halves and not GCC's vectorisation of the portable loops: on an AVX2
// Zen 3 host the portable lif_cond_exp step (three loops: the free update to a
// work array, the decay, clamp and threshold with a scan for the spikes) took
// 0.075-0.086 s of COBA's 1 s, 3.7x its AVX-512 time on a Zen 4 host, where
// Brian2 was only 2.3x slower. In the two-halves form each multiply-add chain
// of the polynomial has a twin beside it, and the three loops are one
// (bench/RESULTS.md, "AVX2 hosts").
//
// Every operation is lane by lane the IEEE operation the portable loops do
// (fma for fmadd, etc.), so the two forms give bit-identical results
// (tests/neurons/grid_threshold_test.cpp, tests/core/vector_math_test.cpp).
#include <cstdint>

#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
#include <immintrin.h>
#define APICAL_SIMD8 1
#endif

#if defined(APICAL_SIMD8)
namespace apical::simd8 {

#if defined(__AVX512F__)
struct vec {
  __m512d v;
};
struct mask {
  __mmask8 m;
};
inline vec load(const double* p) { return {_mm512_loadu_pd(p)}; }
inline void store(double* p, vec a) { _mm512_storeu_pd(p, a.v); }
inline vec set1(double x) { return {_mm512_set1_pd(x)}; }
inline vec zero() { return {_mm512_setzero_pd()}; }
/// a b + c, rounded once
inline vec fmadd(vec a, vec b, vec c) { return {_mm512_fmadd_pd(a.v, b.v, c.v)}; }
/// -(a b) + c, rounded once
inline vec fnmadd(vec a, vec b, vec c) { return {_mm512_fnmadd_pd(a.v, b.v, c.v)}; }
inline vec mul(vec a, vec b) { return {_mm512_mul_pd(a.v, b.v)}; }
inline vec add(vec a, vec b) { return {_mm512_add_pd(a.v, b.v)}; }
/// a >= b, ordered: false where either is a NaN
inline mask ge(vec a, vec b) { return {_mm512_cmp_pd_mask(a.v, b.v, _CMP_GE_OQ)}; }
/// b and not a
inline mask and_not(mask a, mask b) { return {__mmask8(~a.m & b.m)}; }
inline mask operator|(mask a, mask b) { return {__mmask8(a.m | b.m)}; }
/// the lanes of m as bits 0-7
inline unsigned bits(mask m) { return m.m; }
/// b where m, a elsewhere
inline vec blend(mask m, vec a, vec b) { return {_mm512_mask_blend_pd(m.m, a.v, b.v)}; }
/// the lanes whose bit pattern, as an unsigned integer, exceeds bound (< 2^63:
/// a non-negative double's pattern): bits 0-7
inline unsigned above_bits(vec a, std::uint64_t bound) {
  return _mm512_cmp_epu64_mask(_mm512_castpd_si512(a.v), _mm512_set1_epi64(std::int64_t(bound)), _MM_CMPINT_NLE);
}
#else
struct vec {
  __m256d lo, hi;
};
struct mask {
  __m256d lo, hi;   // all ones or all zeros per lane
};
inline vec load(const double* p) { return {_mm256_loadu_pd(p), _mm256_loadu_pd(p + 4)}; }
inline void store(double* p, vec a) {
  _mm256_storeu_pd(p, a.lo);
  _mm256_storeu_pd(p + 4, a.hi);
}
inline vec set1(double x) { return {_mm256_set1_pd(x), _mm256_set1_pd(x)}; }
inline vec zero() { return {_mm256_setzero_pd(), _mm256_setzero_pd()}; }
inline vec fmadd(vec a, vec b, vec c) { return {_mm256_fmadd_pd(a.lo, b.lo, c.lo), _mm256_fmadd_pd(a.hi, b.hi, c.hi)}; }
inline vec fnmadd(vec a, vec b, vec c) { return {_mm256_fnmadd_pd(a.lo, b.lo, c.lo), _mm256_fnmadd_pd(a.hi, b.hi, c.hi)}; }
inline vec mul(vec a, vec b) { return {_mm256_mul_pd(a.lo, b.lo), _mm256_mul_pd(a.hi, b.hi)}; }
inline vec add(vec a, vec b) { return {_mm256_add_pd(a.lo, b.lo), _mm256_add_pd(a.hi, b.hi)}; }
inline mask ge(vec a, vec b) { return {_mm256_cmp_pd(a.lo, b.lo, _CMP_GE_OQ), _mm256_cmp_pd(a.hi, b.hi, _CMP_GE_OQ)}; }
inline mask and_not(mask a, mask b) { return {_mm256_andnot_pd(a.lo, b.lo), _mm256_andnot_pd(a.hi, b.hi)}; }
inline mask operator|(mask a, mask b) { return {_mm256_or_pd(a.lo, b.lo), _mm256_or_pd(a.hi, b.hi)}; }
inline unsigned bits(mask m) { return unsigned(_mm256_movemask_pd(m.lo)) | unsigned(_mm256_movemask_pd(m.hi)) << 4; }
inline vec blend(mask m, vec a, vec b) { return {_mm256_blendv_pd(a.lo, b.lo, m.lo), _mm256_blendv_pd(a.hi, b.hi, m.hi)}; }
/// AVX2 compares 64-bit integers only as signed: for bound < 2^63 a pattern is
/// above it when it is, as signed, greater, or when its sign bit is set
/// (which movemask reads directly).
inline unsigned above_bits(vec a, std::uint64_t bound) {
  const __m256i b = _mm256_set1_epi64x(std::int64_t(bound));
  auto half = [&](__m256d x) {
    const __m256d gt = _mm256_castsi256_pd(_mm256_cmpgt_epi64(_mm256_castpd_si256(x), b));
    return unsigned(_mm256_movemask_pd(_mm256_or_pd(gt, x)));
  };
  return half(a.lo) | half(a.hi) << 4;
}
#endif

}  // namespace apical::simd8
#endif
