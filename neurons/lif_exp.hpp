#pragma once
// lif_exp: leaky integrate-and-fire neuron with exponentially decaying synaptic
// currents (NEST iaf_psc_exp; with precise_times = true, iaf_psc_exp_ps).
//
//   C_m dV/dt = -C_m (V - E_L) / tau_m + I_syn_ex + I_syn_in + I_e + I_stim
//   dI_syn_X/dt = -I_syn_X / tau_syn_X;  an event of weight w [pA] adds w to I_syn_X
//   V >= V_th -> spike, V = V_reset clamped for t_ref (the currents keep decaying)
//
// Integrated exactly (Rotter & Diesmann 1999): over dt,
//   V(dt) = E_L + (V - E_L) e^{-dt/tau_m} + R (1 - e^{-dt/tau_m}) I
//           + sum_X P21_X(dt) I_syn_X,
//   P21_X(dt) = (1/C_m) e^{-dt/tau_m} dt phi1(dt (1/tau_m - 1/tau_syn_X)),
//   phi1(x) = (e^x - 1)/x,
// which is regular at tau_m == tau_syn_X (P21 = dt e^{-dt/tau}/C_m), the case
// where the textbook form divides by zero.
//
// Grid mode: threshold checked at the end of each step, spikes at step ends.
// Precise mode: inputs applied at their exact offsets, the crossing located by
// root finding inside the interval (Illinois regula falsi to 1e-13 ms).
//
// | parameter | unit | default | meaning |
// |---|---|---|---|
// | tau_m      | ms | 10  | membrane time constant |
// | C_m        | pF | 250 | membrane capacitance |
// | E_L        | mV | -70 | resting potential |
// | V_th       | mV | -55 | spike threshold |
// | V_reset    | mV | -70 | reset potential |
// | t_ref      | ms | 2   | absolute refractory period |
// | tau_syn_ex | ms | 2   | excitatory synaptic time constant |
// | tau_syn_in | ms | 2   | inhibitory synaptic time constant |
// | I_e        | pA | 0   | constant input current |
//
// Receptors: 0 excitatory, 1 inhibitory (weights in pA; inhibitory ones are
// negative, as in NEST). State: V_m [mV], I_syn_ex, I_syn_in [pA].
// Validated by tests/neurons/lif_exp_test.cpp.
#include <vector>

#include "core/population.hpp"
#include "core/subnormal_flush.hpp"
#include "neurons/parameters.hpp"

namespace apical {

struct lif_exp_params {
  double tau_m = 10.0, C_m = 250.0, E_L = -70.0, V_th = -55.0, V_reset = -70.0, t_ref = 2.0;
  double tau_syn_ex = 2.0, tau_syn_in = 2.0, I_e = 0.0;
  std::optional<param_error> validate() const;
};

inline constexpr param_info<lif_exp_params> lif_exp_table[] = {
    {"tau_m", &lif_exp_params::tau_m, "ms", "membrane time constant"},
    {"C_m", &lif_exp_params::C_m, "pF", "membrane capacitance"},
    {"E_L", &lif_exp_params::E_L, "mV", "resting potential"},
    {"V_th", &lif_exp_params::V_th, "mV", "spike threshold"},
    {"V_reset", &lif_exp_params::V_reset, "mV", "reset potential"},
    {"t_ref", &lif_exp_params::t_ref, "ms", "absolute refractory period"},
    {"tau_syn_ex", &lif_exp_params::tau_syn_ex, "ms", "excitatory synaptic time constant"},
    {"tau_syn_in", &lif_exp_params::tau_syn_in, "ms", "inhibitory synaptic time constant"},
    {"I_e", &lif_exp_params::I_e, "pA", "constant input current"},
};

/// P21 of the exact propagator: response of V at dt to a unit current [pA]
/// decaying with tau_s, in mV/pA. Regular at tau_m == tau_s.
double psc_exp_p21(double tau_m, double tau_s, double C_m, double dt);

class lif_exp final : public population_dynamics {
 public:
  lif_exp(std::size_t n, const lif_exp_params& p, double h, bool precise_times);
  std::string_view model() const override { return "lif_exp"; }
  std::size_t size() const override { return V_m.size(); }
  int receptors() const override { return 2; }
  bool precise() const override { return precise_; }
  void update(std::size_t begin, std::size_t end, step_context& ctx) override;
  double* input_array(int r) override { return r == 0 ? I_syn_ex.data() : I_syn_in.data(); }
  std::vector<std::string> recordables() const override { return {"V_m", "I_syn_ex", "I_syn_in"}; }
  const double* state(std::string_view var) const override;
  double cost() const override { return precise_ ? 2.0 : 1.0; }
  void serialize(state_io& io) override { io.fields(V_m, I_syn_ex, I_syn_in, ref_until, ref_step, ref_offset); }
  void flush_subnormal_state(std::size_t begin, std::size_t end) override { flush_subnormals(begin, end, V_m, I_syn_ex, I_syn_in); }

  std::vector<double> V_m, I_syn_ex, I_syn_in;   ///< mV, pA, pA
  std::vector<double> ref_until;                 ///< grid mode: last refractory step (neurons/grid_threshold.hpp)
  std::vector<step_t> ref_step;                  ///< precise mode: refractory until ref_step*h + ref_offset
  std::vector<double> ref_offset;

 private:
  void update_grid(std::size_t begin, std::size_t end, step_context& ctx);
  template <bool has_current>
  void grid_loop(std::size_t begin, std::size_t end, step_context& ctx);
  void update_precise(std::size_t begin, std::size_t end, step_context& ctx);

  struct derived {
    double P22, P20, P11_ex, P11_in, P21_ex, P21_in;   // full-step propagators
    double P_rest;                                      // (1 - P22) E_L + P20 I_e [mV]
    double n_ref;                                       // refractory steps (grid; whole number)
  };
  lif_exp_params p_;
  derived d_;
  double h_;
  bool precise_;
};

}  // namespace apical
