#pragma once
// The cells of the dendritic cortical microcircuit (Sacramento, Costa, Bengio &
// Senn 2018): three-compartment pyramidal neurons (basal, apical, soma) and
// two-compartment interneurons (dendrite, soma), in the paper's units
// (capacitance 1, resting potential 0, time in ms, potentials and rates
// dimensionless). One parameter set serves rate and spiking mode.
//
//   pyramidal soma:   du/dt   = -g_lk u + g_B (v_B - u) + g_A (v_A - u) + i_som
//   interneuron soma: du_I/dt = -g_lk u_I + g_D (v_I - u_I) + i_som
//   dendrites (instantaneous): v_B = W_up r_below, v_A = W_down r_above + W_PI r_I, v_I = W_IP r
//   nudging:   i_som = g_exc (E_exc - u) + g_inh (E_inh - u), with
//              g_exc = g_som (t - E_inh)/(E_exc - E_inh), g_inh = -g_som (t - E_exc)/(E_exc - E_inh),
//              which is g_som (t - u): zero at the target t (t in [E_inh, E_exc]; clipped there)
// Output pyramidal neurons have no apical compartment (g_A = 0) and are nudged
// towards their targets; interneurons are nudged towards the potential of
// their pyramidal partner in the layer above (one-to-one).
// The dendritic predictions of the soma: v_B_hat = g_B/(g_lk + g_B + g_A) v_B
// (hidden), g_B/(g_lk + g_B) v_B (output), v_I_hat = g_D/(g_lk + g_D) v_I.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <utility>

#include "neurons/parameters.hpp"

namespace apical {

enum class transfer_kind { softplus, logistic };

struct microcircuit_params {
  double g_lk = 0.1, g_B = 1.0, g_A = 0.8, g_som = 0.8, g_D = 1.0;   ///< conductances (capacitance 1)
  double g_som_I = 0.8;                 ///< nudging of interneurons by the layer above
  double E_exc = 20.0, E_inh = -20.0;   ///< reversal potentials of the nudging conductances (targets must lie between)
  transfer_kind phi_kind = transfer_kind::softplus;
  double gamma = 0.1, beta = 1.0, theta = 3.0;     ///< soft-plus phi(u) = gamma log(1 + e^{beta (u - theta)})
  std::optional<param_error> validate() const;

  double phi(double u) const {
    if (phi_kind == transfer_kind::logistic) return 1.0 / (1.0 + std::exp(-u));
    const double x = beta * (u - theta);   // log1p(e^x), without overflow for large x
    return gamma * (x > 30.0 ? x : std::log1p(std::exp(x)));
  }
  double phi_prime(double u) const {
    if (phi_kind == transfer_kind::logistic) {
      const double s = 1.0 / (1.0 + std::exp(-u));
      return s * (1.0 - s);
    }
    return gamma * beta / (1.0 + std::exp(-beta * (u - theta)));
  }
  /// Attenuation of the basal input in the somatic prediction: hidden and output layers.
  double basal_hidden() const { return g_B / (g_lk + g_B + g_A); }
  double basal_output() const { return g_B / (g_lk + g_B); }
  double interneuron_gain() const { return g_D / (g_lk + g_D); }
  /// The nudging conductances {g_exc, g_inh} of total g towards target t (clipped at 0).
  std::pair<double, double> nudging(double g, double t) const {
    const double span = E_exc - E_inh;
    return {std::max(0.0, g * (t - E_inh) / span), std::max(0.0, -g * (t - E_exc) / span)};
  }
  /// The nudging current towards target t at potential u.
  double nudge(double g, double t, double u) const {
    const auto [g_exc, g_inh] = nudging(g, t);
    return g_exc * (E_exc - u) + g_inh * (E_inh - u);
  }
  /// Steady state of a soma with leak g_lk, one dendritic input g_d v and nudging g towards t.
  double nudged_fixed_point(double g_d, double v, double g, double t) const {
    const auto [g_exc, g_inh] = nudging(g, t);
    return (g_d * v + g_exc * E_exc + g_inh * E_inh) / (g_lk + g_d + g_exc + g_inh);
  }
};

inline constexpr param_info<microcircuit_params> microcircuit_table[] = {
    {"g_lk", &microcircuit_params::g_lk, "1", "leak conductance"},
    {"g_B", &microcircuit_params::g_B, "1", "basal-to-soma coupling"},
    {"g_A", &microcircuit_params::g_A, "1", "apical-to-soma coupling (hidden layers)"},
    {"g_som", &microcircuit_params::g_som, "1", "nudging of output neurons towards their targets"},
    {"g_D", &microcircuit_params::g_D, "1", "interneuron dendrite-to-soma coupling"},
    {"g_som_I", &microcircuit_params::g_som_I, "1", "nudging of interneurons towards the layer above"},
    {"E_exc", &microcircuit_params::E_exc, "1", "excitatory reversal potential of the nudging"},
    {"E_inh", &microcircuit_params::E_inh, "1", "inhibitory reversal potential of the nudging"},
    {"gamma", &microcircuit_params::gamma, "1", "soft-plus scale"},
    {"beta", &microcircuit_params::beta, "1", "soft-plus steepness"},
    {"theta", &microcircuit_params::theta, "1", "soft-plus threshold"},
};

}  // namespace apical
