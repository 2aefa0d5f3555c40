#include <doctest/doctest.h>

#include <cmath>

#include "helpers.hpp"
#include "neurons/lif_exp.hpp"

using namespace apical;

TEST_CASE("lif_exp: DC response equals E_L + (1 - e^{-t/tau}) R I, with the refractory clamp") {
  // V_inf = E_L + R I = -70 + 0.04 * 500 = -50 mV > V_th: the neuron fires on the
  // grid; after each spike V is clamped at V_reset for t_ref = 2 ms and then
  // relaxes again from V_reset.
  const std::string net = test::sim_header(0.1, 100.0) + R"(
[[population]]
name = "n"
model = "lif_exp"
size = 1
params = { E_L = -70.0, tau_m = 10.0, C_m = 250.0, V_th = -55.0, V_reset = -70.0, t_ref = 2.0, I_e = 500.0 }
[[recorder]]
type = "state"
populations = ["n"]
variables = ["V_m"]
interval = 0.1
[[recorder]]
type = "spikes"
)";
  simulation sim(test::parse(net));
  sim.run(100.0);
  const auto& log = sim.states()[0];
  const auto& spikes = sim.spikes()[0].times;
  REQUIRE(spikes.size() >= 5);
  const double R = 10.0 / 250.0, I = 500.0, tau = 10.0;
  double t_free = 0.0, V0 = -70.0;   // start of the current free trajectory
  std::size_t next = 0;
  std::size_t checked = 0;
  for (std::size_t m = 0; m < log.samples; ++m) {
    const double t = log.time_of(m);
    if (next < spikes.size() && t >= spikes[next] - 1e-9) {   // the spike sample shows V_reset
      CHECK(log.at(m, 0, 0) == -70.0);
      t_free = spikes[next] + 2.0;
      V0 = -70.0;
      ++next;
      continue;
    }
    double expected = -70.0;
    if (t > t_free - 1e-9) expected = -70.0 + (V0 + 70.0) * std::exp(-(t - t_free) / tau) + (1 - std::exp(-(t - t_free) / tau)) * R * I;
    INFO("t = " << t);
    CHECK(log.at(m, 0, 0) == doctest::Approx(expected).epsilon(1e-12));
    ++checked;
  }
  CHECK(checked > 900);
  // grid spikes: the first boundary where the analytic V reaches V_th
  const double t_cross = -tau * std::log(1.0 - 15.0 / (R * I));
  CHECK(spikes[0] == doctest::Approx(std::ceil(t_cross / 0.1) * 0.1).epsilon(1e-12));
}

TEST_CASE("lif_exp: propagator is regular at tau_m == tau_syn") {
  const double h = 0.1, C = 250.0, tau = 10.0;
  // the singular limit: P21 = h e^{-h/tau} / C
  CHECK(psc_exp_p21(tau, tau, C, h) == doctest::Approx(h * std::exp(-h / tau) / C).epsilon(1e-15));
  // continuous across the limit
  for (double eps : {1e-12, 1e-9, 1e-6})
    CHECK(psc_exp_p21(tau, tau * (1 + eps), C, h) == doctest::Approx(psc_exp_p21(tau, tau, C, h)).epsilon(5 * eps + 1e-14));
  // and equal to the textbook form away from it
  const double ts = 2.0;
  const double textbook = tau * ts / (C * (ts - tau)) * (std::exp(-h / ts) - std::exp(-h / tau));
  CHECK(psc_exp_p21(tau, ts, C, h) == doctest::Approx(textbook).epsilon(1e-13));
}

TEST_CASE("lif_exp: postsynaptic potential equals its closed form, also for tau_m == tau_syn") {
  for (double tau_s : {2.0, 10.0}) {
    const std::string net = test::sim_header(0.1, 50.0) +
                            "[[population]]\nname = \"n\"\nmodel = \"lif_exp\"\nsize = 1\n"
                            "params = { E_L = -70.0, tau_m = 10.0, C_m = 250.0, V_th = 0.0, tau_syn_ex = " +
                            std::to_string(tau_s) + R"( }
[[population]]
name = "s"
model = "spike_source"
size = 1
spike_times = [[5.0]]
[[projection]]
source = "s"
target = "n"
rule = "all_to_all"
weight = 100.0
delay = 1.0
[[recorder]]
type = "state"
populations = ["n"]
variables = ["V_m"]
interval = 0.1
)";
    simulation sim(test::parse(net));
    sim.run(50.0);
    const auto& log = sim.states()[0];
    for (std::size_t m = 0; m < log.samples; ++m) {
      const double t = log.time_of(m), ta = 6.0;
      const double expected = -70.0 + (t > ta + 1e-9 ? 100.0 * psc_exp_p21(10.0, tau_s, 250.0, t - ta) : 0.0);
      // independent closed form: w tau_m tau_s / (C (tau_s - tau_m)) (e^{-s/tau_s} - e^{-s/tau_m}), or w s e^{-s/tau}/C
      const double s = t - ta;
      double direct = -70.0;
      if (s > 1e-9)
        direct += tau_s == 10.0 ? 100.0 * s * std::exp(-s / 10.0) / 250.0
                                : 100.0 * 10.0 * tau_s / (250.0 * (tau_s - 10.0)) * (std::exp(-s / tau_s) - std::exp(-s / 10.0));
      INFO("tau_syn = " << tau_s << ", t = " << t);
      CHECK(log.at(m, 0, 0) == doctest::Approx(expected).epsilon(1e-12));
      CHECK(log.at(m, 0, 0) == doctest::Approx(direct).epsilon(1e-12));
    }
  }
}

TEST_CASE("lif_exp precise: first spike under DC at 4.700036292 ms, and PSC-driven crossings located exactly") {
  const std::string dc = test::sim_header() + R"(
[[population]]
name = "n"
model = "lif_exp"
precise_times = true
size = 1
params = { E_L = 0.0, tau_m = 10.0, C_m = 250.0, V_th = 15.0, V_reset = 0.0, t_ref = 2.0, I_e = 1000.0 }
[[recorder]]
type = "spikes"
)";
  simulation sim(test::parse(dc));
  sim.run(20.0);
  const auto& t = sim.spikes()[0].times;
  REQUIRE(t.size() >= 2);
  CHECK(std::abs(t[0] - 10.0 * std::log(40.0 / 25.0)) < 1e-9);
  CHECK(std::abs(t[1] - t[0] - 2.0 - 10.0 * std::log(40.0 / 25.0)) < 1e-9);

  // a single strong synaptic current: V(s) = w P21(s) crosses V_th; find the
  // crossing in the test by bisection on the closed form
  const std::string psc = test::sim_header() + R"(
[[population]]
name = "n"
model = "lif_exp"
precise_times = true
size = 1
params = { E_L = 0.0, tau_m = 10.0, C_m = 250.0, V_th = 10.0, V_reset = 0.0, t_ref = 2.0, tau_syn_ex = 2.0 }
[[population]]
name = "s"
model = "spike_source"
size = 1
spike_times = [[3.0]]
[[projection]]
source = "s"
target = "n"
rule = "all_to_all"
weight = 2000.0
delay = 1.0
[[recorder]]
type = "spikes"
populations = ["n"]
)";
  simulation sim2(test::parse(psc));
  sim2.run(20.0);
  const auto& t2 = sim2.spikes()[0].times;
  REQUIRE(t2.size() == 1);
  double a = 0.0, b = 5.0;
  for (int i = 0; i < 200; ++i) {
    const double c = 0.5 * (a + b);
    (2000.0 * psc_exp_p21(10.0, 2.0, 250.0, c) >= 10.0 ? b : a) = c;
  }
  CHECK(std::abs(t2[0] - (4.0 + b)) < 1e-9);
}
