#pragma once
// Philox4x32-10 blocks for a run of consecutive counters, as uniforms: block m
// (counter {c0, m, c2, c3}) gives out[2m] = to_unit(words 0, 1) and out[2m + 1]
// = to_unit(words 2, 3), the numbers pair_uniforms hands to per-step drives
// (poisson_input, poisson_source, pyramidal_2c's spike draws).
//
// With AVX2, eight blocks at a time in 64-bit lanes: each 32-bit word sits in
// the low half of a lane, where vpmuludq reads it and writes the full 64-bit
// product, so a round is two multiplies, two shifts and four xors with no
// shuffles. GCC's vectorisation of the portable loop kept the words packed in
// 32-bit lanes and spent most of its time shuffling them in and out of the
// multiplies (vpshufd, vpunpcklqdq, vperm2i128: 60% of its samples); written in
// 64-bit lanes without intrinsics, GCC multiplied by the constants with shifts
// and adds (AVX2 has no 64-bit multiply). The intrinsic loop took a third of
// the portable loop's time on Zen 2 (bench/RESULTS.md, "Brunel's Poisson
// drive"). The bits are the same: integer operations, exact
// (tests/core/rng_test.cpp compares every value with philox4x32's).
//
// AVX-512 hosts take the AVX2 form as well (an eight-lane form is not written:
// it could not be tested where this was measured).
#include <array>
#include <cstddef>

#include "core/rng.hpp"

#if defined(__AVX2__)
#include <immintrin.h>
#endif

namespace apical {

/// Writes out[2m], out[2m + 1] for m in [m_begin, m_end): the uniforms of the
/// Philox blocks with counters {c0, u32(m), c2, c3} and `key`.
inline void philox_uniform_pairs(u32 c0, u32 c2, u32 c3, std::array<u32, 2> key, std::size_t m_begin,
                                 std::size_t m_end, double* out) {
  std::size_t m = m_begin;
#if defined(__AVX2__)
  {
    constexpr u32 W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;   // philox4x32's key increments
    // the round keys, one broadcast per round
    __m256i k0[10], k1[10];
    for (u32 r = 0, a = key[0], b = key[1]; r < 10; ++r, a += W0, b += W1) {
      k0[r] = _mm256_set1_epi64x(a);
      k1[r] = _mm256_set1_epi64x(b);
    }
    const __m256i M0 = _mm256_set1_epi64x(0xD2511F53u), M1 = _mm256_set1_epi64x(0xCD9E8D57u);
    const __m256i low = _mm256_set1_epi64x(0xFFFFFFFFu), exponent = _mm256_set1_epi64x(0x3FF0000000000000);
    const __m256i v0 = _mm256_set1_epi64x(c0), v2 = _mm256_set1_epi64x(c2), v3 = _mm256_set1_epi64x(c3);
    const __m256d one = _mm256_set1_pd(1.0);
    // to_unit(hi, lo) of each lane's low halves: (hi << 20 | lo >> 12) in the
    // mantissa of [1, 2), minus 1
    auto unit = [&](__m256i hi, __m256i lo) __attribute__((always_inline)) {
      const __m256i mant = _mm256_or_si256(_mm256_slli_epi64(_mm256_and_si256(hi, low), 20),
                                           _mm256_srli_epi64(_mm256_and_si256(lo, low), 12));
      return _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(exponent, mant)), one);
    };
    // four blocks' words x0..x3 to out[0..7] in block order, words 0-1 then 2-3
    auto put = [&](double* o, __m256i x0, __m256i x1, __m256i x2, __m256i x3) __attribute__((always_inline)) {
      const __m256d a = unit(x0, x1), b = unit(x2, x3);
      const __m256d l = _mm256_unpacklo_pd(a, b), h = _mm256_unpackhi_pd(a, b);   // a0 b0 a2 b2 | a1 b1 a3 b3
      _mm256_storeu_pd(o, _mm256_permute2f128_pd(l, h, 0x20));
      _mm256_storeu_pd(o + 4, _mm256_permute2f128_pd(l, h, 0x31));
    };
    const __m256i step0 = _mm256_setr_epi64x(0, 1, 2, 3), step1 = _mm256_setr_epi64x(4, 5, 6, 7);
    // two sets of four blocks side by side: each round's multiply, shift and
    // xors are a dependent chain, and one set left the core waiting
    for (; m + 8 <= m_end; m += 8) {
      const __m256i base = _mm256_set1_epi64x(static_cast<long long>(m));
      __m256i x0 = v0, x1 = _mm256_and_si256(_mm256_add_epi64(base, step0), low), x2 = v2, x3 = v3;
      __m256i y0 = v0, y1 = _mm256_and_si256(_mm256_add_epi64(base, step1), low), y2 = v2, y3 = v3;
      for (int r = 0; r < 10; ++r) {
        // philox4x32's round: the high halves of x1, x3 (products) and hence
        // of x0, x2 carry junk, which the multiplies and unit() ignore
        const __m256i p0 = _mm256_mul_epu32(x0, M0), p1 = _mm256_mul_epu32(x2, M1);
        const __m256i q0 = _mm256_mul_epu32(y0, M0), q1 = _mm256_mul_epu32(y2, M1);
        x0 = _mm256_xor_si256(_mm256_srli_epi64(p1, 32), _mm256_xor_si256(x1, k0[r]));
        x2 = _mm256_xor_si256(_mm256_srli_epi64(p0, 32), _mm256_xor_si256(x3, k1[r]));
        y0 = _mm256_xor_si256(_mm256_srli_epi64(q1, 32), _mm256_xor_si256(y1, k0[r]));
        y2 = _mm256_xor_si256(_mm256_srli_epi64(q0, 32), _mm256_xor_si256(y3, k1[r]));
        x1 = p1, x3 = p0, y1 = q1, y3 = q0;
      }
      put(out + 2 * m, x0, x1, x2, x3);
      put(out + 2 * m + 8, y0, y1, y2, y3);
    }
  }
#endif
  for (; m < m_end; ++m) {
    const auto b = philox4x32({c0, static_cast<u32>(m), c2, c3}, key);
    out[2 * m] = to_unit(b[0], b[1]);
    out[2 * m + 1] = to_unit(b[2], b[3]);
  }
}

}  // namespace apical
