// The grid LIF models' clamp, threshold and spike emission
// (neurons/grid_threshold.hpp) for refractory periods of zero, one and several
// steps, in both forms of the loops: the vector one (vectors of eight, where
// compiled with AVX-512 or AVX2 and FMA: core/simd8.hpp) and the portable one, whose spikes are found by scanning
// the last refractory steps, for populations larger than its 512-neuron chunks
// and 64-neuron blocks (1100 = 2 x 512 + 64 + 12 = 137 x 8 + 4).
#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <map>
#include <vector>

#include "helpers.hpp"
#include "neurons/grid_threshold.hpp"

using namespace apical;

namespace {

/// Puts the default form of the grid loops back when a test case ends.
/// Spike times of a neuron under DC with exact relaxation towards V_inf on the
/// h grid: V_{k+1} = V_inf + (V_k - V_inf) e^{-h/tau}; a spike at the end of a
/// step resets V and clamps it for n_ref steps (emitted at the step's end).
std::vector<double> reference_train(double V_inf, double tau, double V_th, double V_reset, int n_ref, double h, double T) {
  std::vector<double> out;
  double V = V_reset;
  int rc = 0;
  const double P = std::exp(-h / tau);
  for (long k = 0; (k + 1) * h <= T + 1e-9; ++k) {
    if (rc > 0) {
      --rc;
      continue;
    }
    V = V_inf + (V - V_inf) * P;
    if (V >= V_th) {
      out.push_back(double(k + 1) * h);
      V = V_reset;
      rc = n_ref;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("grid LIF models fire under DC as the closed form, with t_ref of 0, 1 and 7 steps, in every 64-neuron block and 512-neuron chunk") {
  const test::flag_guard restore{grid_simd_enabled};
  for (const bool simd : {true, false}) {
    grid_simd_enabled = simd;
    INFO("vector form enabled: " << simd);
    const double h = 0.1, T = 200.0;
    std::string net = test::sim_header(h, T);
    // lif_exp: V_inf = E_L + tau_m/C_m I_e = -70 + 0.04 * 700 = -42 mV, tau 10 ms;
    // lif_cond_exp: V_inf = E_L + I_e/g_L = -60 + 30 = -30 mV, tau = C_m/g_L = 20 ms
    const std::vector<double> t_refs{0.0, 0.1, 0.7};
    for (std::size_t i = 0; i < t_refs.size(); ++i) {
      net += "[[population]]\nname = \"exp" + std::to_string(i) + "\"\nmodel = \"lif_exp\"\nsize = 1100\n"
             "params = { E_L = -70.0, tau_m = 10.0, C_m = 250.0, V_th = -55.0, V_reset = -70.0, I_e = 700.0, t_ref = " +
             std::to_string(t_refs[i]) + " }\n";
      net += "[[population]]\nname = \"cond" + std::to_string(i) + "\"\nmodel = \"lif_cond_exp\"\nsize = 1100\n"
             "params = { C_m = 200.0, g_L = 10.0, E_L = -60.0, V_th = -50.0, V_reset = -60.0, I_e = 300.0, t_ref = " +
             std::to_string(t_refs[i]) + " }\n";
    }
    net += "[[recorder]]\ntype = \"spikes\"\n";
    simulation sim(test::parse(net));
    sim.run(T);
    std::map<std::string, std::vector<std::vector<double>>> trains;
    for (const auto& l : sim.spikes()) {
      auto& tr = trains[l.population];
      tr.resize(1100);
      for (std::size_t s = 0; s < l.times.size(); ++s) tr.at(l.node_ids[s]).push_back(l.times[s]);
    }
    for (std::size_t i = 0; i < t_refs.size(); ++i) {
      const int n_ref = int(std::lround(t_refs[i] / h));
      const auto ref_exp = reference_train(-42.0, 10.0, -55.0, -70.0, n_ref, h, T);
      const auto ref_cond = reference_train(-30.0, 20.0, -50.0, -60.0, n_ref, h, T);
      REQUIRE(ref_exp.size() > 20);
      REQUIRE(ref_cond.size() > 20);
      for (const auto& [pop, ref] : {std::pair{"exp" + std::to_string(i), ref_exp}, {"cond" + std::to_string(i), ref_cond}}) {
        const auto& tr = trains[pop];
        REQUIRE(tr.size() == 1100);
        for (std::size_t node = 0; node < 1100; ++node) {
          INFO(pop << " node " << node << ", t_ref " << t_refs[i] << " ms");
          REQUIRE(tr[node].size() == ref.size());
          for (std::size_t s = 0; s < ref.size(); ++s) CHECK(tr[node][s] == doctest::Approx(ref[s]).epsilon(1e-12));
        }
      }
    }
  }
}

TEST_CASE("the vector (AVX-512 or AVX2) and portable forms of the grid LIF loops give bit-identical spikes and states") {
  // A recurrent network under Poisson input, with dc_sources (the loops'
  // current paths) on a lif_exp and the lif_cond_exp population, sizes that leave tails of 3 and 5
  // neurons after the vectors of eight, and refractory periods of 1 and 20 steps. The
  // lif_cond_exp population's conductances leave exprel_neg's polynomial interval
  // (core/vector_math.hpp): negative at the start (g_in drawn around 0), large at
  // the inputs of 1500 nS (g_tot h / C_m > 0.5).
  const std::string net = test::sim_header(0.1, 300.0, 7) + R"(
[[population]]
name = "a"
model = "lif_exp"
size = 203
params = { tau_m = 20.0, C_m = 250.0, E_L = -65.0, V_th = -50.0, V_reset = -65.0, t_ref = 0.1, tau_syn_ex = 2.0, tau_syn_in = 8.0 }
initial = { V_m = { distribution = "uniform", low = -65.0, high = -50.0 } }
[[population]]
name = "b"
model = "lif_exp"
size = 61
params = { tau_m = 10.0, C_m = 200.0, E_L = -60.0, V_th = -52.0, V_reset = -58.0, t_ref = 2.0, tau_syn_ex = 5.0, tau_syn_in = 5.0 }
[[population]]
name = "c"
model = "lif_cond_exp"
size = 101
params = { C_m = 200.0, g_L = 10.0, E_L = -60.0, V_th = -50.0, V_reset = -60.0, t_ref = 2.0 }
initial = { g_in = { distribution = "normal", mean = 0.0, std = 600.0 } }
[[projection]]
source = "a"
target = "b"
rule = "pairwise_bernoulli"
p = 0.2
weight = { distribution = "normal", mean = 30.0, std = 10.0, low = 0.0, high = 100.0 }
delay = { distribution = "uniform", low = 0.1, high = 2.0 }
[[projection]]
source = "b"
target = "a"
rule = "pairwise_bernoulli"
p = 0.3
weight = -60.0
delay = 0.5
[[projection]]
source = "a"
target = "c"
rule = "pairwise_bernoulli"
p = 0.1
weight = 2.0
delay = 1.0
[[stimulus]]
type = "poisson_input"
target = "a"
rate = 9000.0
weight = 30.0
[[stimulus]]
type = "poisson_input"
target = "c"
rate = 8000.0
weight = 1.5
[[stimulus]]
type = "poisson_input"
target = "c"
rate = 100.0
weight = 1500.0
[[stimulus]]
type = "dc_source"
target = "b"
amplitude = 180.0
[[stimulus]]
type = "dc_source"
target = "c"
amplitude = 40.0
[[recorder]]
type = "spikes"
[[recorder]]
type = "state"
populations = ["a", "b"]
variables = ["V_m", "I_syn_ex", "I_syn_in"]
interval = 0.1
[[recorder]]
type = "state"
populations = ["c"]
variables = ["V_m", "g_ex"]
interval = 0.1
)";
  const test::flag_guard restore{grid_simd_enabled};
  const auto vec = test::run_with(grid_simd_enabled, true, net, 300.0);
  const auto port = test::run_with(grid_simd_enabled, false, net, 300.0);
  const std::size_t spikes = test::check_same_spikes(*vec, *port, 50);
  for (const auto& log : vec->states()) REQUIRE(log.samples == 3000);
  test::check_same_states(*vec, *port, spikes);
}
