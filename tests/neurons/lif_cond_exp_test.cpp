#include <doctest/doctest.h>

#include <array>
#include <cmath>

#include <boost/numeric/odeint.hpp>

#include "helpers.hpp"

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
