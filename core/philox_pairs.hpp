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
// With AVX-512, sixteen blocks at a time in eight-lane registers, the xors of
// a round as vpternlogq; what is left (under sixteen blocks) goes through the
// AVX2 loop, then the scalar one. On a Zen 5 host the stand-alone loop took
// 1.14 s against the AVX2 form's 3.07-3.23 s, and Brunel's update 0.26 s
// against 0.40 s (minimum of 12 pairs; bench/RESULTS.md, "Zen 5").
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
#if defined(__AVX512F__)
  {
    // the AVX2 form below with eight 64-bit lanes a register: sixteen blocks
    // at a time, and each round's two xors one vpternlogq
    constexpr u32 W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;   // philox4x32's key increments
    __m512i k0[10], k1[10];
    for (u32 r = 0, a = key[0], b = key[1]; r < 10; ++r, a += W0, b += W1) {
      k0[r] = _mm512_set1_epi64(a);
      k1[r] = _mm512_set1_epi64(b);
    }
    const __m512i M0 = _mm512_set1_epi64(0xD2511F53u), M1 = _mm512_set1_epi64(0xCD9E8D57u);
    const __m512i low = _mm512_set1_epi64(0xFFFFFFFFu), exponent = _mm512_set1_epi64(0x3FF0000000000000);
    const __m512i v0 = _mm512_set1_epi64(c0), v2 = _mm512_set1_epi64(c2), v3 = _mm512_set1_epi64(c3);
    const __m512d one = _mm512_set1_pd(1.0);
    constexpr int xor3 = 0x96;   // vpternlogq's truth table for a ^ b ^ c
    auto unit = [&](__m512i hi, __m512i lo) __attribute__((always_inline)) {
      const __m512i mant = _mm512_or_si512(_mm512_slli_epi64(_mm512_and_si512(hi, low), 20),
                                           _mm512_srli_epi64(_mm512_and_si512(lo, low), 12));
      return _mm512_sub_pd(_mm512_castsi512_pd(_mm512_or_si512(exponent, mant)), one);
    };
    // eight blocks' words to out[0..15] in block order, words 0-1 then 2-3
    const __m512i first = _mm512_setr_epi64(0, 8, 1, 9, 2, 10, 3, 11), second = _mm512_setr_epi64(4, 12, 5, 13, 6, 14, 7, 15);
    auto put = [&](double* o, __m512i x0, __m512i x1, __m512i x2, __m512i x3) __attribute__((always_inline)) {
      const __m512d a = unit(x0, x1), b = unit(x2, x3);
      _mm512_storeu_pd(o, _mm512_permutex2var_pd(a, first, b));
      _mm512_storeu_pd(o + 8, _mm512_permutex2var_pd(a, second, b));
    };
    const __m512i step0 = _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7), step1 = _mm512_setr_epi64(8, 9, 10, 11, 12, 13, 14, 15);
    for (; m + 16 <= m_end; m += 16) {
      const __m512i base = _mm512_set1_epi64(static_cast<long long>(m));
      __m512i x0 = v0, x1 = _mm512_and_si512(_mm512_add_epi64(base, step0), low), x2 = v2, x3 = v3;
      __m512i y0 = v0, y1 = _mm512_and_si512(_mm512_add_epi64(base, step1), low), y2 = v2, y3 = v3;
      for (int r = 0; r < 10; ++r) {
        const __m512i p0 = _mm512_mul_epu32(x0, M0), p1 = _mm512_mul_epu32(x2, M1);
        const __m512i q0 = _mm512_mul_epu32(y0, M0), q1 = _mm512_mul_epu32(y2, M1);
        x0 = _mm512_ternarylogic_epi64(_mm512_srli_epi64(p1, 32), x1, k0[r], xor3);
        x2 = _mm512_ternarylogic_epi64(_mm512_srli_epi64(p0, 32), x3, k1[r], xor3);
        y0 = _mm512_ternarylogic_epi64(_mm512_srli_epi64(q1, 32), y1, k0[r], xor3);
        y2 = _mm512_ternarylogic_epi64(_mm512_srli_epi64(q0, 32), y3, k1[r], xor3);
        x1 = p1, x3 = p0, y1 = q1, y3 = q0;
      }
      put(out + 2 * m, x0, x1, x2, x3);
      put(out + 2 * m + 16, y0, y1, y2, y3);
    }
  }
#endif
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
