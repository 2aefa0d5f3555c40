#pragma once
// lif_cond_exp: leaky integrate-and-fire neuron with exponentially decaying
// synaptic conductances (NEST iaf_cond_exp; Brette et al. 2007 COBA).
//
//   C_m dV/dt = -g_L (V - E_L) - g_ex (V - E_ex) - g_in (V - E_in) + I_e + I_stim
//   dg_X/dt = -g_X / tau_syn_X;  an event of weight w [nS] adds w to g_X
//   V >= V_th -> spike, V = V_reset clamped for t_ref (conductances keep decaying)
//
// Integration on the grid by exponential integration: the conductances decay
// exactly; over a step V relaxes exponentially towards the instantaneous
// equilibrium V_inf = (g_L E_L + g_ex E_ex + g_in E_in + I) / g_tot with rate
// g_tot / C_m, where the conductances are taken at the step's midpoint. This is
// exact while no synaptic conductance is open and second-order accurate in h
// otherwise (tests/neurons/lif_cond_exp_test.cpp compares it with a Dormand-Prince
// solution of the ODE from Boost.Odeint). The step is computed without a
// division, and mostly without exp: V + (num - g_tot V)(1 - e^{-x}) / g_tot,
// x = g_tot h / C_m, the last factor a polynomial in g_tot within 1 ulp for
// x <= 0.5 (core/vector_math.hpp's exprel_neg_scaled).
//
// | parameter | unit | default | meaning |
// |---|---|---|---|
// | C_m        | pF | 250     | membrane capacitance |
// | g_L        | nS | 16.6667 | leak conductance |
// | E_L        | mV | -70     | leak reversal potential |
// | V_th       | mV | -55     | spike threshold |
// | V_reset    | mV | -60     | reset potential |
// | t_ref      | ms | 2       | absolute refractory period |
// | E_ex       | mV | 0       | excitatory reversal potential |
// | E_in       | mV | -85     | inhibitory reversal potential |
// | tau_syn_ex | ms | 0.2     | excitatory conductance time constant |
// | tau_syn_in | ms | 2       | inhibitory conductance time constant |
// | I_e        | pA | 0       | constant input current |
//
// Receptors: 0 excitatory, 1 inhibitory (weights are conductances, >= 0 nS).
// State: V_m [mV], g_ex, g_in [nS].
#include <vector>

#include "core/population.hpp"
#include "core/subnormal_flush.hpp"
#include "core/vector_math.hpp"
#include "neurons/parameters.hpp"

namespace apical {

struct lif_cond_exp_params {
  double C_m = 250.0, g_L = 16.6667, E_L = -70.0, V_th = -55.0, V_reset = -60.0, t_ref = 2.0;
  double E_ex = 0.0, E_in = -85.0, tau_syn_ex = 0.2, tau_syn_in = 2.0, I_e = 0.0;
  std::optional<param_error> validate() const;
};

inline constexpr param_info<lif_cond_exp_params> lif_cond_exp_table[] = {
    {"C_m", &lif_cond_exp_params::C_m, "pF", "membrane capacitance"},
    {"g_L", &lif_cond_exp_params::g_L, "nS", "leak conductance"},
    {"E_L", &lif_cond_exp_params::E_L, "mV", "leak reversal potential"},
    {"V_th", &lif_cond_exp_params::V_th, "mV", "spike threshold"},
    {"V_reset", &lif_cond_exp_params::V_reset, "mV", "reset potential"},
    {"t_ref", &lif_cond_exp_params::t_ref, "ms", "absolute refractory period"},
    {"E_ex", &lif_cond_exp_params::E_ex, "mV", "excitatory reversal potential"},
    {"E_in", &lif_cond_exp_params::E_in, "mV", "inhibitory reversal potential"},
    {"tau_syn_ex", &lif_cond_exp_params::tau_syn_ex, "ms", "excitatory conductance time constant"},
    {"tau_syn_in", &lif_cond_exp_params::tau_syn_in, "ms", "inhibitory conductance time constant"},
    {"I_e", &lif_cond_exp_params::I_e, "pA", "constant input current"},
};

/// Whether lif_cond_exp leaves out the excitatory term of the step's drive when
/// E_ex = 0 mV, where it is g_ex * 0 (bit-identical either way). Tests turn it
/// off to compare the two forms; nothing else changes it.
inline bool cond_exp_zero_ex_enabled = true;

class lif_cond_exp final : public population_dynamics {
 public:
  lif_cond_exp(std::size_t n, const lif_cond_exp_params& p, double h);
  std::string_view model() const override { return "lif_cond_exp"; }
  std::size_t size() const override { return V_m.size(); }
  int receptors() const override { return 2; }
  void update(std::size_t begin, std::size_t end, step_context& ctx) override;
  double* input_array(int r) override { return r == 0 ? g_ex.data() : g_in.data(); }
  std::vector<std::string> recordables() const override { return {"V_m", "g_ex", "g_in"}; }

 private:
  template <bool has_current, bool ex_at_zero>
  void grid_loop(std::size_t begin, std::size_t end, step_context& ctx);

 public:
  const double* state(std::string_view var) const override;
  double cost() const override { return 1.5; }
  void serialize(state_io& io) override { io.fields(V_m, g_ex, g_in, ref_until); }
  void flush_subnormal_state(std::size_t begin, std::size_t end) override { flush_subnormals(begin, end, V_m, g_ex, g_in); }

  std::vector<double> V_m, g_ex, g_in;   ///< mV, nS, nS
  std::vector<double> ref_until;         ///< last refractory step (neurons/grid_threshold.hpp)

 private:
  struct derived {
    double P_ex, P_in, Ph_ex, Ph_in;   // full- and half-step conductance decay
    double n_ref;                      // refractory steps (whole number)
  };
  lif_cond_exp_params p_;
  derived d_;
  exprel_neg_scaled relax_;   // (1 - e^{-g h/C_m}) / g: the step's factor of (num - g_tot V)
  double h_;
};

}  // namespace apical
