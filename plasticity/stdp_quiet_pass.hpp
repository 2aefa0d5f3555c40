#pragma once
// The first of two passes over a delay group's STDP synapses, eight at a time
// with AVX-512: every synapse whose target has not fired since the group's
// previous pre spike (78.5% of plastic COBA's plastic events: bench/RESULTS.md)
// needs only depression by the target's newest post trace, read from the
// archive's packed copy (post_archive::newest_times). Those synapses are
// updated here, with gathers for the copies and the decay table and a scatter
// for the targets' input; the others (a post spike to pair, an interval beyond
// the decay tables) are listed, in store order, for the full per-synapse update. The scalar loop paid ~95 instructions and
// half a mispredicted branch per synapse, most of it choosing between the
// three paths (valgrind; bench/RESULTS.md).
//
// Bit-identical to stdp_synapses' scalar loop (tested): the same operations in
// the same order on each synapse, and each target's input receives the same
// additions in the same order: synapses onto one target (multapses) take the
// same pass, since the path depends on the target and the group alone, and
// within a pass follow store order (a vector with a repeated target adds lane
// by lane).
#include <algorithm>
#include <cstdint>

#if defined(__AVX512F__) && defined(__AVX512VL__) && defined(__AVX512CD__) && defined(__AVX512DQ__)
#include <immintrin.h>
#define APICAL_STDP_QUIET_PASS 1
#endif

#include "core/pow_vec.hpp"
#include "plasticity/grid_decay.hpp"
#include "plasticity/post_archive.hpp"
#include "plasticity/stdp_update.hpp"

namespace apical {

/// Whether STDP delivery takes the AVX-512 quiet pass (when compiled with it).
/// Tests turn it off to compare with the scalar loop; nothing else changes it.
inline bool stdp_simd_enabled = true;

#if defined(APICAL_STDP_QUIET_PASS)

namespace stdp_quiet {

// Depression of eight weights by o1 e^{-dt/tau_minus} (`o1d`), as each rule's
// scalar depress() (plasticity/stdp_update.hpp), operation for operation.
// std::max(a, b) is (a < b ? b : a): vmaxpd(b, a), which keeps a's signed zero.
// (Here and below the zero-masked forms with every lane set: GCC 12's plain
// forms start from an undefined vector and warn, -Wmaybe-uninitialized.)
inline __m512d depress(const stdp_update::additive& u, __m512d w, __m512d o1d, double) {
  const __m512d a = _mm512_sub_pd(w, _mm512_mul_pd(_mm512_set1_pd(u.down), o1d));
  return _mm512_maskz_max_pd(0xFF, _mm512_set1_pd(u.w_min), a);
}
inline __m512d depress(const stdp_update::multiplicative& u, __m512d w, __m512d o1d, double) {
  const __m512d span = _mm512_sub_pd(w, _mm512_set1_pd(u.w_min));
  const __m512d a = _mm512_sub_pd(w, _mm512_mul_pd(_mm512_mul_pd(_mm512_set1_pd(u.A_minus), span), o1d));
  return _mm512_maskz_max_pd(0xFF, _mm512_set1_pd(u.w_min), a);
}
inline __m512d depress(const stdp_update::power_law& u, __m512d w, __m512d o1d, double) {
  const __m512d w_min = _mm512_set1_pd(u.w_min);
  const __m512d x = _mm512_div_pd(_mm512_sub_pd(w, w_min), _mm512_set1_pd(u.w_max - u.w_min));
  const __m512d a = _mm512_sub_pd(w, _mm512_mul_pd(_mm512_mul_pd(_mm512_set1_pd(u.down), pow_vec8(x, u.mu_minus)), o1d));
  return _mm512_maskz_max_pd(0xFF, w_min, a);
}
/// The power law's potentiation of eight weights by r1 (each already decayed
/// to its post spike), as power_law::facilitate: std::min(a, w_max) is
/// (w_max < a ? w_max : a), vminpd(w_max, a).
inline __m512d facilitate(const stdp_update::power_law& u, __m512d w, __m512d r1) {
  const __m512d x = _mm512_div_pd(_mm512_sub_pd(_mm512_set1_pd(u.w_max), w), _mm512_set1_pd(u.w_max - u.w_min));
  const __m512d a = _mm512_add_pd(w, _mm512_mul_pd(_mm512_mul_pd(_mm512_set1_pd(u.up), pow_vec8(x, u.mu_plus)), r1));
  return _mm512_maskz_min_pd(0xFF, _mm512_set1_pd(u.w_max), a);
}
inline __m512d depress(const stdp_update::triplet& u, __m512d w, __m512d o1d, double r2) {
  const double amp = u.A2_minus + u.A3_minus * r2;   // the scalar form's inner sum, once
  const __m512d a = _mm512_sub_pd(w, _mm512_mul_pd(o1d, _mm512_set1_pd(amp)));
  return _mm512_maskz_max_pd(0xFF, _mm512_set1_pd(u.w_min), a);
}

template <class Update>
concept vector_depress = requires(const Update& u, __m512d v) { depress(u, v, v, 0.0); };

}  // namespace stdp_quiet

/// The rules with a vector form of their depression (all but the dopamine rule's).
template <class Update>
inline constexpr bool stdp_quiet_pass_for = stdp_quiet::vector_depress<Update>;

/// Synapses [begin, end) of a group whose pre spike is at t (ms, post frame)
/// and whose synapses have taken the post spikes up to t_read (the previous pre
/// spike, or a catch-up: stdp_synapses::catch_up): updates the quiet ones (weights in w,
/// indexed by synapse; their new weights added to dest[target] unless dest is
/// null) and writes the others' indices to `rest` in order. Returns how many it
/// listed. `decay_minus` must be on the grid; `newest` is the archive's
/// newest spike time and o1 by target (post_archive::newest_times); `rest` holds end - begin + 8 indices (each vector
/// stores eight).
template <class Update>
std::uint32_t depress_quiet(const Update& u, double r2, const std::uint32_t* target, double* w, std::uint32_t begin,
                            std::uint32_t end, const post_archive::newest* newest, double t, double t_read,
                            const grid_decay::function& decay_minus, double* dest, std::uint32_t* rest) {
  static_assert(sizeof(post_archive::newest) == 2 * sizeof(double), "the gathers index the pairs in doubles");
  const double* const rt = &newest->t;
  const double* const ro1 = &newest->o1;
  const __m512d vt = _mm512_set1_pd(t), vt_read = _mm512_set1_pd(t_read), never = _mm512_set1_pd(-1e299);
  const __m512d inv_h = _mm512_set1_pd(decay_minus.inv_h), limit = _mm512_set1_pd(decay_minus.limit);
  const __m256i mask = _mm256_set1_epi32(static_cast<int>(decay_minus.mask));
  const __m128i shift = _mm_cvtsi32_si128(decay_minus.shift);
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  std::uint32_t listed = 0;
  for (std::uint32_t j = begin; j < end; j += 8) {
    const __mmask8 live = end - j >= 8 ? __mmask8(0xff) : __mmask8((1u << (end - j)) - 1u);
    // the row two vectors ahead and the dense copies of its targets (the
    // gathers wait on them otherwise), the targets four vectors ahead
    __builtin_prefetch(target + j + 32);
    __builtin_prefetch(w + j + 16);
    for (std::uint32_t a = j + 16; a < std::min(j + 24, end); ++a) __builtin_prefetch(newest + target[a]);
    const __m256i n = _mm256_maskz_loadu_epi32(live, target + j);
    const __m256i line = _mm256_slli_epi32(n, 1);   // the target's pair, in doubles
    const __m512d last_t = _mm512_mask_i32gather_pd(_mm512_setzero_pd(), live, line, rt, 8);
    const __m512d last_o1 = _mm512_mask_i32gather_pd(_mm512_setzero_pd(), live, line, ro1, 8);
    // quiet: the newest post spike is taken already (no later than the previous pre spike) and before t
    __mmask8 quiet = _mm512_mask_cmp_pd_mask(live, last_t, vt_read, _CMP_LE_OQ) &
                     _mm512_mask_cmp_pd_mask(live, last_t, vt, _CMP_LT_OQ);
    const __mmask8 paired = _mm512_cmp_pd_mask(last_t, never, _CMP_GT_OQ);
    // decay_minus(t - (paired ? last.t : t)), from the tables where they reach
    const __m512d dt = _mm512_sub_pd(vt, _mm512_mask_blend_pd(paired, vt, last_t));
    const __m512d m = _mm512_maskz_roundscale_pd(0xFF, _mm512_mul_pd(dt, inv_h), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    quiet &= _mm512_cmp_pd_mask(m, limit, _CMP_LT_OQ);
    const __m256i steps = _mm512_maskz_cvttpd_epi32(0xFF, m);   // m < limit < 2^31 where quiet
    // coarse[0] is exactly 1: the coarse table only for intervals past the fine
    // one (longer than the target's typical silence: a predicted branch)
    const __m256i q = _mm256_srl_epi32(steps, shift);
    const __mmask8 far = _mm256_mask_test_epi32_mask(quiet, q, q);
    const __m512d coarse =
        far ? _mm512_mask_i32gather_pd(_mm512_set1_pd(1.0), quiet, q, decay_minus.coarse, 8) : _mm512_set1_pd(1.0);
    const __m512d fine = _mm512_mask_i32gather_pd(_mm512_set1_pd(1.0), quiet, _mm256_and_si256(steps, mask),
                                                  decay_minus.table, 8);
    const __m512d o1d = _mm512_mul_pd(last_o1, _mm512_mul_pd(coarse, fine));
    const __m512d w_old = _mm512_maskz_loadu_pd(live, w + j);
    const __m512d w_new = _mm512_mask_blend_pd(paired, w_old, stdp_quiet::depress(u, w_old, o1d, r2));
    _mm512_mask_storeu_pd(w + j, quiet, w_new);
    if (dest) {
      // a target twice among the quiet lanes (multapses): the scatter would
      // add once, so those vectors add lane by lane, in store order
      const __m256i twice = _mm256_maskz_conflict_epi32(quiet, n);
      if (!_mm256_mask_test_epi32_mask(quiet, twice, twice)) {
        const __m512d in = _mm512_mask_i32gather_pd(_mm512_setzero_pd(), quiet, n, dest, 8);
        _mm512_mask_i32scatter_pd(dest, quiet, n, _mm512_add_pd(in, w_new), 8);
      } else {
        alignas(64) double wl[8];
        alignas(32) std::uint32_t nl[8];
        _mm512_store_pd(wl, w_new);
        _mm256_store_si256(reinterpret_cast<__m256i*>(nl), n);
        for (unsigned l = 0; l < 8; ++l)
          if (quiet >> l & 1u) dest[nl[l]] += wl[l];
      }
    }
    const __mmask8 full = live & ~quiet;
    // compressed in a register and stored whole: the compressing store is
    // microcoded on Zen 4 (the pass took 8.5 ns a synapse with it)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(rest + listed),
                        _mm256_maskz_compress_epi32(full, _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(j)), lane)));
    listed += static_cast<std::uint32_t>(__builtin_popcount(full));
  }
  return listed;
}

#else

template <class Update>
inline constexpr bool stdp_quiet_pass_for = false;

#endif

}  // namespace apical
