#include <doctest/doctest.h>

#include <cmath>

#include "helpers.hpp"

using namespace apical;

namespace {
std::vector<double> spike_times(const std::string& toml, double T) {
  simulation sim(test::parse(toml));
  sim.run(T);
  return sim.spikes().front().times;
}
}  // namespace

TEST_CASE("lif_delta: first spike under DC current at the closed-form time") {
  // E_L = 0, tau_m = 10 ms, C = 250 pF, I = 1000 pA: V(t) = 40 (1 - e^{-t/10}) mV
  // reaches 15 mV at t* = 10 ln(40/25) = 4.700036292 ms; after t_ref = 2 ms the
  // next crossing follows the same curve from V_reset = 0.
  const double t1 = 10.0 * std::log(40.0 / 25.0);
  REQUIRE(t1 == doctest::Approx(4.700036292).epsilon(1e-10));
  for (const char* drive : {"I_e = 1000.0", "I_e = 0.0"}) {
    std::string net = test::sim_header() +
                      "[[population]]\nname = \"n\"\nmodel = \"lif_delta\"\nsize = 1\n"
                      "params = { E_L = 0.0, tau_m = 10.0, C_m = 250.0, V_th = 15.0, V_reset = 0.0, t_ref = 2.0, " +
                      std::string(drive) + " }\ninitial = { V_m = 0.0 }\n[[recorder]]\ntype = \"spikes\"\n";
    if (std::string(drive) == "I_e = 0.0")   // the same current from a dc_source
      net += "[[stimulus]]\ntype = \"dc_source\"\ntarget = \"n\"\namplitude = 1000.0\n";
    const auto t = spike_times(net, 30.0);
    REQUIRE(t.size() >= 3);
    INFO(drive);
    CHECK(std::abs(t[0] - t1) < 1e-9);
    for (std::size_t i = 1; i < t.size(); ++i) CHECK(std::abs(t[i] - t[i - 1] - (2.0 + t1)) < 1e-9);
  }
}

TEST_CASE("lif_delta: Brian2's LIF feature case, ISI tau ln 6 and 55 spikes in 1 s") {
  // Brian2 test: dv/dt = (1.2 - v)/tau, tau = 10 ms, threshold v > 1, reset v = 0.
  // As lif_delta: E_L = 0, R I_e = 1.2 (I_e = 1.2 * C_m / tau_m = 30 pA), no refractory time.
  const auto t = spike_times(test::sim_header(0.1, 1000.0) +
                                 "[[population]]\nname = \"n\"\nmodel = \"lif_delta\"\nsize = 1\n"
                                 "params = { E_L = 0.0, tau_m = 10.0, C_m = 250.0, V_th = 1.0, V_reset = 0.0, t_ref = 0.0, I_e = 30.0 }\n"
                                 "initial = { V_m = 0.0 }\n[[recorder]]\ntype = \"spikes\"\n",
                             1000.0);
  const double isi = 10.0 * std::log(6.0);
  CHECK(t.size() == 55);
  CHECK(std::abs(t.front() - isi) < 1e-9);
  for (std::size_t i = 1; i < t.size(); ++i) CHECK(std::abs(t[i] - t[i - 1] - isi) < 1e-9);
}

TEST_CASE("lif_delta: input during the refractory period is discarded") {
  // spikes at 5 ms (makes the neuron fire: jump 25 mV > 20 mV threshold) and at
  // 6 ms (inside t_ref = 2 ms: ignored) and 8 ms (after it: a 5 mV jump)
  const std::string net = test::sim_header() + R"(
[[population]]
name = "n"
model = "lif_delta"
size = 1
params = { E_L = 0.0, tau_m = 10.0, V_th = 20.0, V_reset = 0.0, t_ref = 2.0 }
[[population]]
name = "s"
model = "spike_source"
size = 3
spike_times = [[5.0], [6.0], [8.0]]
[[projection]]
source = "s"
target = "n"
rule = "all_to_all"
weight = { distribution = "constant", value = 25.0 }
delay = 1.0
[[recorder]]
type = "state"
populations = ["n"]
variables = ["V_m"]
interval = 0.1
)";
  simulation sim(test::parse(net));
  sim.run(20.0);
  const auto& log = sim.states()[0];
  REQUIRE(sim.spikes()[0].count == 2);   // the jumps at 6 and 9 ms both fire; 7 ms is refractory
  // V stays at V_reset from 6 to 8 ms, and the second jump fires it again at 9 ms
  for (std::size_t m = 0; m < log.samples; ++m) {
    const double t = log.time_of(m);
    if (t > 6.0 + 1e-9 && t < 8.0 - 1e-9) CHECK(log.at(m, 0, 0) == 0.0);
  }
}
