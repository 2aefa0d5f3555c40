#include <doctest/doctest.h>

#include <array>
#include <cmath>

#include <boost/numeric/odeint.hpp>

#include "helpers.hpp"
#include "neurons/grid_threshold.hpp"
#include "neurons/lif_cond_exp.hpp"

using namespace apical;

namespace {
std::string cond_net(double h, double T, const std::string& params, bool with_event) {
  std::string s = test::sim_header(h, T) +
                  "[[population]]\nname = \"n\"\nmodel = \"lif_cond_exp\"\nsize = 1\nparams = { " + params + " }\n"
                  "[[recorder]]\ntype = \"state\"\npopulations = [\"n\"]\nvariables = [\"V_m\", \"g_ex\"]\ninterval = 0.2\n";
  if (with_event)
    s += "[[population]]\nname = \"s\"\nmodel = \"spike_source\"\nsize = 1\nspike_times = [[2.0]]\n"
         "[[projection]]\nsource = \"s\"\ntarget = \"n\"\nrule = \"all_to_all\"\nweight = 20.0\ndelay = 1.0\nreceptor = \"excitatory\"\n";
  return s;
}
}  // namespace

TEST_CASE("lif_cond_exp: without synaptic input the DC response is the closed form") {
  const std::string p = "C_m = 200.0, g_L = 10.0, E_L = -60.0, V_th = 0.0, I_e = 150.0";
  simulation sim(test::parse(cond_net(0.1, 100.0, p, false)));
  sim.run(100.0);
  const auto& log = sim.states()[0];
  for (std::size_t m = 0; m < log.samples; ++m) {
    const double t = log.time_of(m);
    const double expected = -60.0 + 150.0 / 10.0 * (1 - std::exp(-t * 10.0 / 200.0));
    CHECK(log.at(m, 0, 0) == doctest::Approx(expected).epsilon(1e-12));
  }
}

TEST_CASE("lif_cond_exp: a conductance transient matches a Dormand-Prince solution to second order in h") {
  // reference: C dV/dt = -g_L (V - E_L) - g(t) (V - E_ex), g(t) = w e^{-(t - 3)/tau} for t >= 3 ms
  const double C = 200.0, gL = 10.0, EL = -60.0, Eex = 0.0, tau = 5.0, w = 20.0;
  using state = std::array<double, 2>;   // V, g
  auto rhs = [&](const state& x, state& dx, double) {
    dx[0] = (-gL * (x[0] - EL) - x[1] * (x[0] - Eex)) / C;
    dx[1] = -x[1] / tau;
  };
  namespace ode = boost::numeric::odeint;
  auto reference = [&](double t) {
    state x{EL, 0.0};
    if (t <= 3.0) return x;
    x[1] = w;
    ode::integrate_adaptive(ode::make_controlled(1e-13, 1e-13, ode::runge_kutta_dopri5<state>()), rhs, x, 3.0, t, 1e-3);
    return x;
  };
  const std::string p = "C_m = 200.0, g_L = 10.0, E_L = -60.0, V_th = 0.0, E_ex = 0.0, tau_syn_ex = 5.0";
  double err[2] = {0, 0};
  int i = 0;
  for (double h : {0.1, 0.05}) {
    simulation sim(test::parse(cond_net(h, 30.0, p, true)));
    sim.run(30.0);
    const auto& log = sim.states()[0];
    for (std::size_t m = 0; m < log.samples; ++m) {
      const double t = log.time_of(m);
      const state x = reference(t);
      CHECK(log.at(m, 1, 0) == doctest::Approx(x[1]).epsilon(1e-12));   // conductance decays exactly
      err[i] = std::max(err[i], std::abs(log.at(m, 0, 0) - x[0]));
    }
    ++i;
  }
  MESSAGE("max |V - V_ref| = " << err[0] << " mV at h = 0.1 ms, " << err[1] << " mV at h = 0.05 ms");
  CHECK(err[0] > 0.0);
  CHECK(err[0] < 2e-3);                  // PSP peak is ~3.8 mV
  CHECK(err[1] < err[0] / 3.0);          // second order: halving h divides the error by ~4
}

TEST_CASE("lif_cond_exp: the step without the excitatory term at E_ex = 0 equals the full step bit for bit") {
  // recurrent excitation and inhibition, Poisson drive on both receptors, one
  // population with a DC current (the loop's other form) and sizes that leave
  // tails of the vector loop; each pair compared with the vector loop and the
  // portable one
  const std::string net = test::sim_header(0.1, 200.0, 11) + R"(
[[population]]
name = "e"
model = "lif_cond_exp"
size = 157
params = { C_m = 200.0, g_L = 10.0, E_L = -60.0, V_th = -50.0, V_reset = -60.0, t_ref = 5.0, tau_syn_ex = 5.0, tau_syn_in = 10.0, E_in = -80.0 }
initial = { V_m = { distribution = "uniform", low = -60.0, high = -50.0 }, g_ex = { distribution = "uniform", low = 0.0, high = 60.0 } }
[[population]]
name = "i"
model = "lif_cond_exp"
size = 43
params = { C_m = 200.0, g_L = 10.0, E_L = -60.0, V_th = -50.0, V_reset = -60.0, t_ref = 5.0, tau_syn_ex = 5.0, tau_syn_in = 10.0, E_in = -80.0 }
[[projection]]
source = "e"
target = "e"
rule = "pairwise_bernoulli"
p = 0.1
weight = 3.0
delay = 0.8
[[projection]]
source = "e"
target = "i"
rule = "pairwise_bernoulli"
p = 0.1
weight = 3.0
delay = 0.5
[[projection]]
source = "i"
target = "e"
rule = "pairwise_bernoulli"
p = 0.2
weight = 30.0
delay = 0.6
receptor = "inhibitory"
[[stimulus]]
type = "poisson_input"
target = "e"
rate = 2000.0
weight = 2.0
[[stimulus]]
type = "poisson_input"
target = "e"
rate = 1000.0
weight = 5.0
receptor = "inhibitory"
[[stimulus]]
type = "dc_source"
target = "i"
amplitude = 120.0
[[recorder]]
type = "spikes"
[[recorder]]
type = "state"
populations = ["e", "i"]
variables = ["V_m", "g_ex", "g_in"]
interval = 0.1
)";
  const test::flag_guard restore_simd{grid_simd_enabled}, restore_zero{cond_exp_zero_ex_enabled};
  for (bool simd : {true, false}) {
    INFO("vector loop: " << simd);
    grid_simd_enabled = simd;
    const auto without = test::run_with(cond_exp_zero_ex_enabled, true, net, 200.0);
    const auto full = test::run_with(cond_exp_zero_ex_enabled, false, net, 200.0);
    const std::size_t spikes = test::check_same_spikes(*without, *full, 100);
    test::check_same_states(*without, *full, spikes);
  }
}
