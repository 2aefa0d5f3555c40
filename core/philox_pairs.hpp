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
// With AVX-512, the same loop (philox_lanes) sixteen blocks at a time in
// eight-lane registers, the xors of a round as vpternlogq; what is left (under
// sixteen blocks) goes through the AVX2 loop, then the scalar one. On a Zen 5
// host the stand-alone loop took 1.14-1.30 s against the AVX2 form's
// 3.07-3.35 s, and Brunel's update 0.26 s against 0.40 s (minimum of 12 pairs;
// bench/RESULTS.md, "Zen 5").
#include <array>
#include <cstddef>
#include <cstdint>

#include "core/rng.hpp"

#if defined(__AVX2__)
#include <immintrin.h>
#endif

namespace apical {

namespace philox_detail {

#if defined(__AVX2__)
/// Four 64-bit lanes (AVX2), each holding a 32-bit word in its low half.
struct lanes4 {
  using reg = __m256i;
  static constexpr std::size_t width = 4;
  static reg set1(std::uint64_t x) { return _mm256_set1_epi64x(static_cast<long long>(x)); }
  /// base + i in lane i, from lane `from`
  static reg iota(std::size_t base, std::size_t from) {
    return _mm256_add_epi64(set1(base), _mm256_setr_epi64x(from, from + 1, from + 2, from + 3));
  }
  static reg band(reg a, reg b) { return _mm256_and_si256(a, b); }
  static reg mul(reg a, reg b) { return _mm256_mul_epu32(a, b); }   // low halves, full product
  static reg high(reg a) { return _mm256_srli_epi64(a, 32); }
  static reg xor3(reg a, reg b, reg c) { return _mm256_xor_si256(a, _mm256_xor_si256(b, c)); }
  /// to_unit(hi, lo) of each lane's low halves: (hi << 20 | lo >> 12) in the
  /// mantissa of [1, 2), minus 1
  static __m256d unit(reg hi, reg lo) {
    const reg low = set1(0xFFFFFFFFu);
    const reg mant = _mm256_or_si256(_mm256_slli_epi64(band(hi, low), 20), _mm256_srli_epi64(band(lo, low), 12));
    return _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(set1(0x3FF0000000000000), mant)), _mm256_set1_pd(1.0));
  }
  /// the uniforms a (words 0-1) and b (words 2-3) of four blocks to o[0..7] in block order
  static void put(double* o, __m256d a, __m256d b) {
    const __m256d l = _mm256_unpacklo_pd(a, b), h = _mm256_unpackhi_pd(a, b);   // a0 b0 a2 b2 | a1 b1 a3 b3
    _mm256_storeu_pd(o, _mm256_permute2f128_pd(l, h, 0x20));
    _mm256_storeu_pd(o + 4, _mm256_permute2f128_pd(l, h, 0x31));
  }
};
#endif

#if defined(__AVX512F__)
/// Eight 64-bit lanes (AVX-512), as lanes4.
struct lanes8 {
  using reg = __m512i;
  static constexpr std::size_t width = 8;
  static reg set1(std::uint64_t x) { return _mm512_set1_epi64(static_cast<long long>(x)); }
  static reg iota(std::size_t base, std::size_t from) {
    return _mm512_add_epi64(set1(base), _mm512_add_epi64(set1(from), _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7)));
  }
  static reg band(reg a, reg b) { return _mm512_and_si512(a, b); }
  static reg mul(reg a, reg b) { return _mm512_mul_epu32(a, b); }
  static reg high(reg a) { return _mm512_srli_epi64(a, 32); }
  static reg xor3(reg a, reg b, reg c) { return _mm512_ternarylogic_epi64(a, b, c, 0x96); }   // 0x96: a ^ b ^ c
  static __m512d unit(reg hi, reg lo) {
    const reg low = set1(0xFFFFFFFFu);
    const reg mant = _mm512_or_si512(_mm512_slli_epi64(band(hi, low), 20), _mm512_srli_epi64(band(lo, low), 12));
    return _mm512_sub_pd(_mm512_castsi512_pd(_mm512_or_si512(set1(0x3FF0000000000000), mant)), _mm512_set1_pd(1.0));
  }
  static void put(double* o, __m512d a, __m512d b) {
    _mm512_storeu_pd(o, _mm512_permutex2var_pd(a, _mm512_setr_epi64(0, 8, 1, 9, 2, 10, 3, 11), b));
    _mm512_storeu_pd(o + 8, _mm512_permutex2var_pd(a, _mm512_setr_epi64(4, 12, 5, 13, 6, 14, 7, 15), b));
  }
};
#endif

/// The blocks [m, m_end) two registers at a time (2 L::width blocks); returns
/// the first block not done.
template <class L>
__attribute__((always_inline)) inline std::size_t philox_lanes(u32 c0, u32 c2, u32 c3, std::array<u32, 2> key,
                                                               std::size_t m, std::size_t m_end, double* out) {
  using reg = typename L::reg;
  constexpr u32 W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;   // philox4x32's key increments
  // the round keys, one broadcast per round
  reg k0[10], k1[10];
  for (u32 r = 0, a = key[0], b = key[1]; r < 10; ++r, a += W0, b += W1) {
    k0[r] = L::set1(a);
    k1[r] = L::set1(b);
  }
  const reg M0 = L::set1(0xD2511F53u), M1 = L::set1(0xCD9E8D57u), low = L::set1(0xFFFFFFFFu);
  const reg v0 = L::set1(c0), v2 = L::set1(c2), v3 = L::set1(c3);
  // two sets of blocks side by side: each round's multiply, shift and xors are
  // a dependent chain, and one set left the core waiting
  for (; m + 2 * L::width <= m_end; m += 2 * L::width) {
    reg x0 = v0, x1 = L::band(L::iota(m, 0), low), x2 = v2, x3 = v3;
    reg y0 = v0, y1 = L::band(L::iota(m, L::width), low), y2 = v2, y3 = v3;
    for (int r = 0; r < 10; ++r) {
      // philox4x32's round: the high halves of x1, x3 (products) and hence
      // of x0, x2 carry junk, which the multiplies and unit() ignore
      const reg p0 = L::mul(x0, M0), p1 = L::mul(x2, M1), q0 = L::mul(y0, M0), q1 = L::mul(y2, M1);
      x0 = L::xor3(L::high(p1), x1, k0[r]);
      x2 = L::xor3(L::high(p0), x3, k1[r]);
      y0 = L::xor3(L::high(q1), y1, k0[r]);
      y2 = L::xor3(L::high(q0), y3, k1[r]);
      x1 = p1, x3 = p0, y1 = q1, y3 = q0;
    }
    L::put(out + 2 * m, L::unit(x0, x1), L::unit(x2, x3));
    L::put(out + 2 * (m + L::width), L::unit(y0, y1), L::unit(y2, y3));
  }
  return m;
}

}  // namespace philox_detail

/// Writes out[2m], out[2m + 1] for m in [m_begin, m_end): the uniforms of the
/// Philox blocks with counters {c0, u32(m), c2, c3} and `key`.
inline void philox_uniform_pairs(u32 c0, u32 c2, u32 c3, std::array<u32, 2> key, std::size_t m_begin,
                                 std::size_t m_end, double* out) {
  std::size_t m = m_begin;
#if defined(__AVX512F__)
  m = philox_detail::philox_lanes<philox_detail::lanes8>(c0, c2, c3, key, m, m_end, out);
#endif
#if defined(__AVX2__)
  m = philox_detail::philox_lanes<philox_detail::lanes4>(c0, c2, c3, key, m, m_end, out);
#endif
  for (; m < m_end; ++m) {
    const auto b = philox4x32({c0, static_cast<u32>(m), c2, c3}, key);
    out[2 * m] = to_unit(b[0], b[1]);
    out[2 * m + 1] = to_unit(b[2], b[3]);
  }
}

}  // namespace apical
