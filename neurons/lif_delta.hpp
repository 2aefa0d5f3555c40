#pragma once
// lif_delta: leaky integrate-and-fire neuron with delta-shaped synaptic input,
// integrated exactly, with precise spike times (NEST iaf_psc_delta_ps).
//
//   tau_m dV/dt = -(V - E_L) + R (I_e + I_stim),   R = tau_m / C_m
//   a synaptic event of weight w [mV] at time t:  V(t+) = V(t-) + w
//   V >= V_th  ->  spike, V = V_reset, clamped for t_ref; input arriving while
//                  refractory is discarded (NEST refractory_input = false)
//
// Between events V relaxes to V_inf = E_L + R I; when V_inf > V_th the crossing
// time is solved in closed form, t* = tau_m ln((V - V_inf) / (V_th - V_inf)),
// so spike times are exact, not rounded to the grid. Events arriving inside a
// step (from precise sources) are applied at their exact offsets.
//
// | parameter | unit | default | meaning |
// |---|---|---|---|
// | tau_m   | ms | 10   | membrane time constant |
// | C_m     | pF | 250  | membrane capacitance |
// | E_L     | mV | -70  | resting potential |
// | V_th    | mV | -55  | spike threshold |
// | V_reset | mV | -70  | reset potential |
// | t_ref   | ms | 2    | absolute refractory period |
// | I_e     | pA | 0    | constant input current |
//
// State: V_m [mV] (recordable). Validated by tests/neurons/lif_delta_test.cpp
// (closed-form first spike time under DC, jump delivery times).
#include <memory>
#include <vector>

#include "core/population.hpp"
#include "core/subnormal_flush.hpp"
#include "neurons/parameters.hpp"

namespace apical {

struct lif_delta_params {
  double tau_m = 10.0, C_m = 250.0, E_L = -70.0, V_th = -55.0, V_reset = -70.0, t_ref = 2.0, I_e = 0.0;
  std::optional<param_error> validate() const;
};

inline constexpr param_info<lif_delta_params> lif_delta_table[] = {
    {"tau_m", &lif_delta_params::tau_m, "ms", "membrane time constant"},
    {"C_m", &lif_delta_params::C_m, "pF", "membrane capacitance"},
    {"E_L", &lif_delta_params::E_L, "mV", "resting potential"},
    {"V_th", &lif_delta_params::V_th, "mV", "spike threshold"},
    {"V_reset", &lif_delta_params::V_reset, "mV", "reset potential"},
    {"t_ref", &lif_delta_params::t_ref, "ms", "absolute refractory period"},
    {"I_e", &lif_delta_params::I_e, "pA", "constant input current"},
};

class lif_delta final : public population_dynamics {
 public:
  lif_delta(std::size_t n, const lif_delta_params& p, double h);
  std::string_view model() const override { return "lif_delta"; }
  std::size_t size() const override { return V_m.size(); }
  int receptors() const override { return 1; }
  bool precise() const override { return true; }
  void update(std::size_t begin, std::size_t end, step_context& ctx) override;
  std::vector<std::string> recordables() const override { return {"V_m"}; }
  const double* state(std::string_view var) const override { return var == "V_m" ? V_m.data() : nullptr; }
  void serialize(state_io& io) override { io.fields(V_m, ref_step, ref_offset); }
  void flush_subnormal_state(std::size_t begin, std::size_t end) override { flush_subnormals(begin, end, V_m); }

  // state (structure of arrays)
  std::vector<double> V_m;          ///< mV
  std::vector<step_t> ref_step;     ///< refractory until ref_step*h + ref_offset
  std::vector<double> ref_offset;   ///< ms

 private:
  struct derived {
    double R;     // MOhm = mV/nA; here mV/pA * 1e3: tau_m / C_m in mV/pA
    double P22;   // exp(-h/tau_m)
  };
  /// The exact stepper for neuron i; `ev` walks ctx.events (sorted by target).
  void exact_step(std::size_t i, std::size_t begin, step_context& ctx, std::size_t& ev);
  template <bool has_current>
  void fast_step(std::size_t begin, std::size_t end, step_context& ctx);

  lif_delta_params p_;
  derived d_;
  double h_;
  bool t_ref_on_grid_ = false;   // t_ref is a whole number of steps
  step_t n_ref_ = 0;
};

}  // namespace apical
