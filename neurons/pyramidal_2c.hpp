#pragma once
// pyramidal_2c: two-compartment pyramidal neuron with stochastic spiking
// (Urbanczik & Senn 2014; NEST pp_cond_exp_mc_urbanczik with g_ps = 0).
//
//   soma:     C_m dU/dt = -g_L (U - E_L) + g_sp (V - U) + g_ex (E_ex - U) + g_in (E_in - U) + I_e + I_stim
//   dendrite: C_d dV/dt = -g_L_d (V - E_L_d) + I_ex + I_in + I_e_d
//   dg_X/dt = -g_X / tau_syn_X (soma, conductances [nS]);  dI_X/dt = -I_X / tau_syn_X_d (dendrite, currents [pA])
//
// The dendrite integrates its inputs passively and drives the soma through the
// coupling g_sp; the soma does not act back on the dendrite. Spikes are drawn,
// not thresholded: with rate phi(U) = phi_max / (1 + k exp(beta (theta - U)))
// [1/ms], a neuron fires in a step with probability 1 - exp(-phi(U) h) (U after
// the step), then cannot fire for t_ref (dead time); with t_ref = 0 the count
// in a step is Poisson(phi(U) h). U is not reset. The uniforms come from the
// counter-based stream (seed, population, neuron, step).
//
// Integration (`integrator` in the model file):
// - "exact" (default): the dendrite and its currents are linear and time-invariant
//   and advance by their exact propagator (Rotter & Diesmann 1999). Over a step
//   the soma sees its conductances at the step's midpoint and the dendrite's
//   exact V(t), a sum of exponentials, so U is integrated in closed form: exact
//   when no somatic conductance is open, second order in h otherwise.
// - "rk4": Boost.Odeint runge_kutta4, one step of h.
// - "dopri5": Boost.Odeint runge_kutta_dopri5 with error control (absolute and
//   relative tolerance 1e-9) over each step.
// tests/neurons/pyramidal_2c_test.cpp checks all three against the matrix
// exponential of the linear system and against each other.
//
// Receptors: soma_exc, soma_inh (conductances, weights >= 0 nS), dendritic_exc,
// dendritic_inh (currents, weights in pA with their sign), NEST's names.
// State: V_m (U) and V_d [mV], g_ex, g_in [nS], I_ex, I_in [pA].
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "core/population.hpp"
#include "core/subnormal_flush.hpp"
#include "neurons/parameters.hpp"

namespace apical {

struct pyramidal_2c_params {
  double g_sp = 600.0;   ///< nS, dendrite-to-soma coupling
  double C_m = 300.0, g_L = 30.0, E_L = -70.0, E_ex = 0.0, E_in = -75.0, tau_syn_ex = 3.0, tau_syn_in = 3.0, I_e = 0.0;
  double C_d = 300.0, g_L_d = 30.0, E_L_d = -70.0, tau_syn_ex_d = 3.0, tau_syn_in_d = 3.0, I_e_d = 0.0;
  double phi_max = 0.15;      ///< 1/ms
  double rate_slope = 0.5;    ///< k
  double beta = 1.0 / 3.0;    ///< 1/mV
  double theta = -55.0;       ///< mV
  double t_ref = 3.0;         ///< ms, dead time
  std::optional<param_error> validate() const;

  double tau_L_d() const { return C_d / g_L_d; }
  /// Rate at somatic potential u [mV], 1/ms.
  double phi(double u) const { return phi_max / (1.0 + rate_slope * std::exp(beta * (theta - u))); }
  /// d ln phi / du [1/mV]: the weight of the error in the Urbanczik-Senn rule.
  double log_slope(double u) const { return beta / (1.0 + std::exp(-beta * (theta - u)) / rate_slope); }
  /// The dendritic prediction of U: V*_w = (g_L E_L + g_sp V) / (g_L + g_sp).
  double prediction(double V) const { return (g_L * E_L + g_sp * V) / (g_L + g_sp); }
};

inline constexpr param_info<pyramidal_2c_params> pyramidal_2c_table[] = {
    {"g_sp", &pyramidal_2c_params::g_sp, "nS", "dendrite-to-soma coupling conductance"},
    {"C_m", &pyramidal_2c_params::C_m, "pF", "somatic capacitance"},
    {"g_L", &pyramidal_2c_params::g_L, "nS", "somatic leak conductance"},
    {"E_L", &pyramidal_2c_params::E_L, "mV", "somatic leak reversal potential"},
    {"E_ex", &pyramidal_2c_params::E_ex, "mV", "somatic excitatory reversal potential"},
    {"E_in", &pyramidal_2c_params::E_in, "mV", "somatic inhibitory reversal potential"},
    {"tau_syn_ex", &pyramidal_2c_params::tau_syn_ex, "ms", "somatic excitatory conductance time constant"},
    {"tau_syn_in", &pyramidal_2c_params::tau_syn_in, "ms", "somatic inhibitory conductance time constant"},
    {"I_e", &pyramidal_2c_params::I_e, "pA", "constant current into the soma"},
    {"C_d", &pyramidal_2c_params::C_d, "pF", "dendritic capacitance"},
    {"g_L_d", &pyramidal_2c_params::g_L_d, "nS", "dendritic leak conductance"},
    {"E_L_d", &pyramidal_2c_params::E_L_d, "mV", "dendritic leak reversal potential"},
    {"tau_syn_ex_d", &pyramidal_2c_params::tau_syn_ex_d, "ms", "dendritic excitatory current time constant"},
    {"tau_syn_in_d", &pyramidal_2c_params::tau_syn_in_d, "ms", "dendritic inhibitory current time constant"},
    {"I_e_d", &pyramidal_2c_params::I_e_d, "pA", "constant current into the dendrite"},
    {"phi_max", &pyramidal_2c_params::phi_max, "1/ms", "maximal rate"},
    {"rate_slope", &pyramidal_2c_params::rate_slope, "1", "k of the rate function"},
    {"beta", &pyramidal_2c_params::beta, "1/mV", "steepness of the rate function"},
    {"theta", &pyramidal_2c_params::theta, "mV", "midpoint of the rate function"},
    {"t_ref", &pyramidal_2c_params::t_ref, "ms", "dead time after a spike (0: Poisson counts)"},
};

enum class compartment_integrator { exact, rk4, dopri5 };

/// "exact", "rk4", "dopri5"; false when the name is unknown.
bool parse_integrator(const std::string& name, compartment_integrator& out);

class pyramidal_2c final : public population_dynamics {
 public:
  pyramidal_2c(std::size_t n, const pyramidal_2c_params& p, double h, compartment_integrator integ, std::uint64_t seed,
               std::uint64_t stream_id);
  std::string_view model() const override { return "pyramidal_2c"; }
  std::size_t size() const override { return V_m.size(); }
  int receptors() const override { return 4; }
  void update(std::size_t begin, std::size_t end, step_context& ctx) override;
  double* input_array(int r) override;
  std::vector<std::string> recordables() const override { return {"V_m", "V_d", "g_ex", "g_in", "I_ex", "I_in"}; }
  const double* state(std::string_view var) const override;
  double cost() const override { return integ_ == compartment_integrator::exact ? 3.0 : 30.0; }
  const pyramidal_2c_params& params() const { return p_; }
  void serialize(state_io& io) override { io.fields(V_m, V_d, g_ex, g_in, I_ex, I_in, ref_count); }
  void flush_subnormal_state(std::size_t begin, std::size_t end) override { flush_subnormals(begin, end, V_m, V_d, g_ex, g_in, I_ex, I_in); }

  std::vector<double> V_m, V_d, g_ex, g_in, I_ex, I_in;   ///< mV, mV, nS, nS, pA, pA
  std::vector<std::int32_t> ref_count;                    ///< dead-time steps left

 private:
  /// Exact path for neurons [begin, end), vectorised: advances them and flags
  /// in ctx.scratch those that fire (ctx.work holds their uniforms).
  template <bool has_current>
  void advance_exact_block(std::size_t begin, std::size_t end, step_context& ctx);
  /// Emits the flagged neurons' spikes (Poisson counts when t_ref = 0).
  void emit(std::size_t begin, std::size_t end, step_context& ctx);
  void advance_odeint(std::size_t i, double I_stim);

  pyramidal_2c_params p_;
  double h_;
  compartment_integrator integ_;
  std::uint64_t seed_, stream_;
  std::int32_t n_ref_;
  // exact path: step propagators of the linear dendrite and the somatic conductances
  double P_L_, P_ex_d_, P_in_d_, K_ex_, K_in_, P_ex_, P_in_, Ph_ex_, Ph_in_, V_inf_;
};

}  // namespace apical
