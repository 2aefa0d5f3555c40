#include "core/rng.hpp"

#include <algorithm>
#include <cmath>

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
