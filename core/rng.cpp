#include "core/rng.hpp"

#include <algorithm>
#include <cmath>

namespace apical {

namespace {
constexpr u32 kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
constexpr u32 kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;

inline void mulhilo(u32 a, u32 b, u32& hi, u32& lo) {
  const u64 p = static_cast<u64>(a) * b;
  hi = static_cast<u32>(p >> 32);
  lo = static_cast<u32>(p);
}
}  // namespace

std::array<u32, 4> philox4x32(std::array<u32, 4> c, std::array<u32, 2> k) {
  for (int round = 0; round < 10; ++round) {
    u32 hi0, lo0, hi1, lo1;
    mulhilo(kM0, c[0], hi0, lo0);
    mulhilo(kM1, c[2], hi1, lo1);
    c = {hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0};
    k[0] += kW0;
    k[1] += kW1;
  }
  return c;
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
  guide_.resize(guide_size);
  std::size_t k = 0;
  for (std::size_t j = 0; j < guide_size; ++j) {
    const double lo = double(j) / double(guide_size), hi = double(j + 1) / double(guide_size);
    while (k < cdf_.size() && cdf_[k] <= lo) ++k;
    const bool inside = k < cdf_.size() && cdf_[k] < hi;   // a step inside [lo, hi): search
    guide_[j] = static_cast<std::uint16_t>(std::min<std::size_t>(k, 0x7fff) | ((inside || k >= 0x7fff) ? 0x8000u : 0u));
  }
}



}  // namespace apical
