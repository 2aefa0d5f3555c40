#pragma once
// The weight change of each STDP rule at a post spike (facilitate) and at a
// pre spike (depress), as the formulas in plasticity/stdp.hpp, one small type
// per rule with its constants taken out of plasticity_params once per
// delivered group. stdp_synapses' loop is a template over these types, so the
// loop over a group's synapses carries no switch over rule and weight
// dependence, and the clips are min/max rather than branches that the
// bimodal weights of additive STDP make unpredictable (bench/RESULTS.md).
#include <algorithm>
#include <cmath>

#include "core/pow_vec.hpp"
#include "plasticity/stdp.hpp"

namespace apical::stdp_update {

/// Pair rule, additive: F+ = F- = 1.
struct additive {
  double up, down, w_min, w_max;   // up = (w_max - w_min) A_plus, down likewise
  double facilitate(double w, double r1, double /*o2*/) const { return std::min(w + up * r1, w_max); }
  double depress(double w, double o1, double /*r2*/) const { return std::max(w - down * o1, w_min); }
};

/// Pair rule, multiplicative (van Rossum et al. 2000): F+ = 1 - w~, F- = w~.
struct multiplicative {
  double A_plus, A_minus, w_min, w_max;
  double facilitate(double w, double r1, double) const { return std::min(w + A_plus * (w_max - w) * r1, w_max); }
  double depress(double w, double o1, double) const { return std::max(w - A_minus * (w - w_min) * o1, w_min); }
};

/// Pair rule, power law (Gütig et al. 2003): F+ = (1 - w~)^mu_plus, F- = w~^mu_minus.
/// Both through pow_vec, whose eight-lane twin takes the depressions of eight
/// synapses at once, and the potentiations of eight in rounds over a block
/// (one post spike of each synapse a round), with the same bits
/// (stdp_synapses, stdp_quiet_pass.hpp; bench/RESULTS.md).
struct power_law {
  double up, down, mu_plus, mu_minus, w_min, w_max;
  double facilitate(double w, double r1, double) const {
    const double range = w_max - w_min;
    return std::min(w + up * pow_vec((w_max - w) / range, mu_plus) * r1, w_max);
  }
  double depress(double w, double o1, double) const {
    const double range = w_max - w_min;
    return std::max(w - down * pow_vec((w - w_min) / range, mu_minus) * o1, w_min);
  }
};

/// Triplet rule (Pfister & Gerstner 2006, eqs. 3-4), absolute amplitudes.
struct triplet {
  double A2_plus, A3_plus, A2_minus, A3_minus, w_min, w_max;
  double facilitate(double w, double r1, double o2) const { return std::min(w + r1 * (A2_plus + A3_plus * o2), w_max); }
  double depress(double w, double o1, double r2) const { return std::max(w - o1 * (A2_minus + A3_minus * r2), w_min); }
};

/// stdp_dopamine's eligibility trace c: pair STDP, unbounded.
struct eligibility {
  double A_plus, A_minus;
  double facilitate(double c, double r1, double) const { return c + A_plus * r1; }
  double depress(double c, double o1, double) const { return c - A_minus * o1; }
};

/// Calls f with the update type of rule p (not urbanczik) and returns its result.
template <class F>
decltype(auto) visit(const plasticity_params& p, F&& f) {
  const double range = p.w_max - p.w_min;
  if (p.kind == plasticity_kind::dopamine) return f(eligibility{p.A_plus, p.A_minus});
  if (p.kind == plasticity_kind::triplet) return f(triplet{p.A_plus, p.A3_plus, p.A_minus, p.A3_minus, p.w_min, p.w_max});
  switch (p.dependence) {
    case weight_dependence::multiplicative: return f(multiplicative{p.A_plus, p.A_minus, p.w_min, p.w_max});
    case weight_dependence::power_law:
      return f(power_law{range * p.A_plus, range * p.A_minus, p.mu_plus, p.mu_minus, p.w_min, p.w_max});
    case weight_dependence::additive: break;
  }
  return f(additive{range * p.A_plus, range * p.A_minus, p.w_min, p.w_max});
}

}  // namespace apical::stdp_update
