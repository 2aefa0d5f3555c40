#pragma once
// Spike-timing-dependent plasticity: pair rules with weight dependence, and the
// triplet rule. Both are computed event-driven from traces (Morrison, Diesmann
// & Gerstner 2008), never per time step.
//
// Pair rule ("stdp"; Bi & Poo 1998, Song, Miller & Abbott 2000). Traces
//   x(t) = sum_pre  exp(-(t - t_pre)/tau_plus),   y(t) = sum_post exp(-(t - t_post)/tau_minus)
// (all-to-all pairing; with nearest pairing each spike resets its trace to 1
// instead of adding 1, the symmetric nearest-neighbour scheme of NEST's
// stdp_nn_symm_synapse). With w~ = (w - w_min)/(w_max - w_min):
//   at a post spike:  w += (w_max - w_min) A_plus  F+(w~) x(t_post)
//   at a pre spike:   w -= (w_max - w_min) A_minus F-(w~) y(t_pre)
//   additive:        F+ = 1,               F- = 1
//   multiplicative:  F+ = 1 - w~,          F- = w~            (van Rossum et al. 2000)
//   power_law:       F+ = (1 - w~)^mu_plus, F- = w~^mu_minus  (Gütig et al. 2003)
// then w is clipped to [w_min, w_max]. With w_min = 0 this is NEST's
// stdp_synapse with lambda = A_plus, alpha = A_minus/A_plus, Wmax = w_max, and
// PyNN's SpikePairRule with Additive/Multiplicative/GutigWeightDependence.
//
// Triplet rule ("stdp_triplet"; Pfister & Gerstner 2006, eqs. 3-4). Pre traces
// r1 (tau_plus), r2 (tau_x); post traces o1 (tau_minus), o2 (tau_y):
//   at a post spike:  w += r1(t) [A2_plus + A3_plus o2(t - eps)]
//   at a pre spike:   w -= o1(t) [A2_minus + A3_minus r2(t - eps)]
// in absolute weight units (as NEST's stdp_triplet_synapse), clipped to
// [w_min, w_max]; nearest pairing saturates every trace at 1.
//
// Reward-modulated STDP ("stdp_dopamine"; Izhikevich 2007, as NEST's
// stdp_dopamine_synapse, Potjans et al. 2010). Pair STDP does not change the
// weight but an eligibility trace c; the weight follows c times the
// neuromodulator concentration n above a baseline b:
//   dc/dt = -c/tau_c + A_plus x(t) sum_post delta(t - t_post) - A_minus y(t) sum_pre delta(t - t_pre)
//   dn/dt = -n/tau_n + sum_mod delta(t - t_mod) / tau_n
//   dw/dt = c (n - b)
// Spikes of the `modulator` population (NEST's volume transmitter) make n.
// Between events the three are propagated in closed form: over a gap D from
// (c0, n0), with tau_s = tau_c tau_n / (tau_c + tau_n),
//   w += c0 [n0 tau_s (1 - e^{-D/tau_s}) - b tau_c (1 - e^{-D/tau_c})],
// and w is clipped to [w_min, w_max] after each gap (as NEST). A_plus and
// A_minus are absolute (units of c). A modulator spike emitted at t_mod acts at
// the synapse at t_mod. The dendritic part of every delay must be at least
// the smallest delay of the network (one window), so that the modulator
// spikes up to a pre spike's synaptic time are known when it is delivered:
// f = 1 (NEST) always is; f = 0.5 is with delays in [d_min, 2 d_min] or more.
//
// Dendritic prediction ("urbanczik_senn"; Urbanczik & Senn 2014): see
// plasticity/urbanczik_synapses.hpp; only eta, tau_Delta, w_min, w_max here.
//
// Timing conventions (docs/models.md, tests/plasticity/stdp_exact_test.cpp):
// - The synaptic delay d is split into a dendritic part d_den = round(f d / h) h,
//   f = dendritic_delay_fraction (default 1, as NEST and PyNN), and an axonal
//   part d - d_den. A pre spike emitted at t_pre reaches the synapse at
//   t_pre + d - d_den; a post spike at t_post reaches it at t_post + d_den.
//   Pairs are timed at the synapse: dt = (t_post + d_den) - (t_pre + d - d_den).
// - A pre and a post spike at the same synaptic time (dt = 0) do not pair.
// - The weight is updated when a pre spike reaches the synapse (the spike then
//   transmits the updated weight); potentiation by post spikes since the last
//   pre spike is applied then, in time order. A weight read between pre spikes
//   is the value after the last pre spike, as in NEST.
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "neurons/parameters.hpp"

namespace apical {

enum class plasticity_kind { pair, triplet, dopamine, urbanczik };
enum class weight_dependence { additive, multiplicative, power_law };
enum class stdp_pairing { all_to_all, nearest };

/// The lowered parameters of either rule (one struct; the weight changes are
/// plasticity/stdp_update.hpp's types, the hot loop a template over them).
/// Times in ms; weights in the projection's unit.
struct plasticity_params {
  plasticity_kind kind = plasticity_kind::pair;
  weight_dependence dependence = weight_dependence::additive;
  stdp_pairing pairing = stdp_pairing::all_to_all;
  double tau_plus = 20.0;    ///< ms, pre trace r1 / x
  double tau_minus = 20.0;   ///< ms, post trace o1 / y
  double tau_x = 101.0;      ///< ms, triplet pre trace r2
  double tau_y = 114.0;      ///< ms, triplet post trace o2
  double A_plus = 0.01;      ///< pair: fraction of (w_max - w_min); triplet: A2_plus, absolute
  double A_minus = 0.01;     ///< pair: fraction of (w_max - w_min); triplet: A2_minus, absolute
  double A3_plus = 0.0;      ///< triplet only, absolute
  double A3_minus = 0.0;     ///< triplet only, absolute
  double mu_plus = 1.0;      ///< power_law exponent of potentiation
  double mu_minus = 1.0;     ///< power_law exponent of depression
  double w_min = 0.0, w_max = 1.0;
  double dendritic_delay_fraction = 1.0;   ///< f in [0, 1]
  double tau_c = 1000.0;     ///< ms, dopamine: eligibility trace
  double tau_n = 200.0;      ///< ms, dopamine: neuromodulator concentration
  double b = 0.0;            ///< 1/ms, dopamine: baseline concentration
  double eta = 0.07;         ///< urbanczik: learning rate (plasticity/urbanczik_synapses.hpp)
  double tau_Delta = 100.0;  ///< ms, urbanczik: low-pass filter of the weight change
  bool time_driven = false;  ///< urbanczik: update every synapse every step (the reference; bench/RESULTS.md)
  /// stdp, all-to-all: potentiation applied at each post spike over the
  /// neuron's incoming synapses (Brian2, Song et al. 2000) instead of at each
  /// synapse's next pre spike (NEST's stdp_synapse, the default); no post
  /// spike history (plasticity/stdp_at_post.hpp).
  bool potentiate_at_post = false;

  std::optional<param_error> validate() const;
  /// Dendritic delay in steps for a delay of `delay_steps` steps.
  std::int64_t dendritic_steps(std::int64_t delay_steps) const {
    return std::llround(dendritic_delay_fraction * double(delay_steps));
  }
  /// Refuses a dendritic delay below one step for the smallest delay (ms): the
  /// update at a pre spike needs every post spike up to its synaptic time, and
  /// a post spike of the delivery step itself is not yet emitted. With
  /// potentiation at post spikes, also refuses delays (min to max, ms) whose
  /// dendritic parts differ: a post spike's potentiation waits for its one
  /// dendritic delay.
  std::optional<param_error> check_delay(double min_delay_ms, double max_delay_ms, double h_ms) const;
  /// stdp_dopamine: refuses a dendritic delay below `window_ms` (the
  /// network's smallest delay) for the projection's smallest delay.
  std::optional<param_error> check_modulated_delay(double min_delay_ms, double window_ms, double h_ms) const;
};

/// Names, units, defaults and meaning of a rule's parameters (docs, `apical models`).
struct rule_info {
  std::string name, description;
  std::vector<param_doc> params;
  std::vector<std::pair<std::string, std::vector<std::string>>> options;   ///< option, allowed values (first: default)
};

const std::vector<rule_info>& plasticity_rules();
const rule_info* find_rule(const std::string& name);

/// Lowers a rule description (rule name, numbers, options); an error names the key.
/// String options are checked against the rule's allowed values, except
/// `modulator` (stdp_dopamine: a population name, required; the caller checks
/// that the population exists).
std::optional<param_error> lower_plasticity(const std::string& rule, const std::map<std::string, double>& params,
                                      const std::map<std::string, std::string>& options, plasticity_params& out);

}  // namespace apical
