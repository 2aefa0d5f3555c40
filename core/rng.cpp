#include "core/rng.hpp"

#include <algorithm>
#include <cmath>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace apical {

double stream_engine::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  const double u1 = 1.0 - uniform();   // (0, 1]
  const double u2 = uniform();
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double a = 2.0 * M_PI * u2;
  spare_ = r * std::sin(a);
  has_spare_ = true;
  return r * std::cos(a);
}

poisson_table::poisson_table(double mean) : mean_(mean) {
  // P(n) by the recurrence p_n = p_{n-1} * mean / n, summed until the tail is
  // below double precision. For mean > 700 exp(-mean) underflows: callers use
  // a normal approximation there (never in the standard models).
  double p = std::exp(-mean);
  double c = p;
  cdf_.push_back(c);
  for (unsigned n = 1; c < 1.0 - 1e-16 && n < 100000; ++n) {
    p *= mean / n;
    c += p;
    cdf_.push_back(c);
    if (p < 1e-300 && n > mean) break;
  }
  guide_.resize(guide_size + 1);
  std::size_t k = 0;
  for (std::size_t j = 0; j < guide_size; ++j) {
    const double lo = double(j) / double(guide_size), hi = double(j + 1) / double(guide_size);
    while (k < cdf_.size() && cdf_[k] <= lo) ++k;
    const bool inside = k < cdf_.size() && cdf_[k] < hi;   // a step inside [lo, hi): search
    guide_[j] = static_cast<std::uint16_t>(std::min<std::size_t>(k, 0x7fff) | ((inside || k >= 0x7fff) ? 0x8000u : 0u));
  }
}



void poisson_table::add_draws(const double* u, double* acc, double weight, std::size_t n) const {
  std::size_t i = 0;
#if defined(__AVX512F__)
  // The cells' guide words by one vpgatherdd for sixteen uniforms (each lane
  // reads 32 bits at guide_ + 2 index: its word and the next, masked off).
  // Lanes whose cell holds a CDF step (0.6% of Brunel's draws, one vector in
  // ten) finish the search in the scalar loop of draw().
  const __m512d cells = _mm512_set1_pd(double(guide_size)), w = _mm512_set1_pd(weight);
  const __m512i low15 = _mm512_set1_epi32(0x7fff), flag = _mm512_set1_epi32(0x8000);
  for (; i + 16 <= n; i += 16) {
    const __m256i c0 = _mm512_cvttpd_epi32(_mm512_mul_pd(_mm512_loadu_pd(u + i), cells));
    const __m256i c1 = _mm512_cvttpd_epi32(_mm512_mul_pd(_mm512_loadu_pd(u + i + 8), cells));
    const __m512i g = _mm512_i32gather_epi32(_mm512_inserti64x4(_mm512_castsi256_si512(c0), c1, 1), guide_.data(), 2);
    __m512i k = _mm512_and_si512(g, low15);
    if (const __mmask16 search = _mm512_test_epi32_mask(g, flag)) [[unlikely]] {
      alignas(64) std::int32_t ks[16];
      _mm512_store_si512(ks, k);
      for (unsigned l = 0; l < 16; ++l)
        if (search >> l & 1u) ks[l] = static_cast<std::int32_t>(draw(u[i + l]));
      k = _mm512_load_si512(ks);
    }
    // weight * n rounded, then added: the scalar loop's two roundings
    const __m512d n0 = _mm512_cvtepi32_pd(_mm512_castsi512_si256(k)), n1 = _mm512_cvtepi32_pd(_mm512_extracti64x4_epi64(k, 1));
    _mm512_storeu_pd(acc + i, _mm512_add_pd(_mm512_loadu_pd(acc + i), _mm512_mul_pd(w, n0)));
    _mm512_storeu_pd(acc + i + 8, _mm512_add_pd(_mm512_loadu_pd(acc + i + 8), _mm512_mul_pd(w, n1)));
  }
#endif
  for (; i < n; ++i) acc[i] += weight * double(draw(u[i]));
}

}  // namespace apical
