// STDP delivery's AVX-512 quiet pass (plasticity/stdp_quiet_pass.hpp) against
// the scalar loop it short-cuts: the same spikes and weights, bit for bit.
// (Built without AVX-512, both runs take the scalar loop.) The case fails when
// the pass scatters a vector with a repeated target, or ignores the coarse
// decay table.
#include <doctest/doctest.h>

#include <string>

#include "core/simulation.hpp"
#include "helpers.hpp"
#include "plasticity/stdp_quiet_pass.hpp"

using namespace apical;

TEST_CASE("STDP's vector quiet pass and the scalar loop give bit-identical spikes and weights") {
  // Recurrent lif_cond_exp neurons (E) and slow lif_exp neurons (S, a few
  // spikes a second: depression across intervals past the fine decay table,
  // 409.6 ms) under Poisson drive, with plastic projections of every rule the
  // pass serves: additive E->E (groups of ~20: two vectors and a tail, and
  // groups narrower than a vector, which stay scalar); multiplicative,
  // nearest-spike P->S with multapses (a source's group holds each target
  // ~10 times: vectors with a repeated target); triplet P->E with delays of
  // 0.1-3 ms, half of them dendritic; power law E->S (groups of ~10: the
  // quiet pass, and for a quarter of the sources, narrower than a vector, the
  // block loop's masked lanes) and P->D onto precise lif_delta neurons (spikes
  // off the grid: no quiet pass, groups of ~30 through the block loop). The
  // power law's potentiations (in rounds over a block) and depressions take
  // pow_vec8, and off the grid the post trace's decay exp_vec8, in the first
  // form, and the scalar twins in the second.
  const std::string net = test::sim_header(0.1, 2500.0, 3) + R"(
[[population]]
name = "E"
model = "lif_cond_exp"
size = 400
params = { C_m = 200.0, g_L = 10.0, E_L = -60.0, V_th = -50.0, V_reset = -60.0, t_ref = 5.0, E_ex = 0.0, E_in = -80.0, tau_syn_ex = 5.0, tau_syn_in = 10.0 }
initial = { V_m = { distribution = "uniform", low = -60.0, high = -50.0 } }
[[population]]
name = "S"
model = "lif_exp"
size = 40
params = { tau_m = 20.0, C_m = 250.0, E_L = -65.0, V_th = -50.0, V_reset = -65.0, t_ref = 2.0, tau_syn_ex = 2.0, tau_syn_in = 2.0 }
initial = { V_m = { distribution = "uniform", low = -65.0, high = -50.0 } }
[[population]]
name = "D"
model = "lif_delta"
size = 60
params = { tau_m = 20.0, C_m = 250.0, E_L = 0.0, V_th = 20.0, V_reset = 10.0, t_ref = 2.0 }
initial = { V_m = { distribution = "uniform", low = 0.0, high = 20.0 } }
[[population]]
name = "P"
model = "poisson_source"
size = 6
params = { rate = 15.0 }
[[projection]]
name = "EE"
source = "E"
target = "E"
rule = "pairwise_bernoulli"
p = 0.05
weight = 3.0
delay = 0.1
receptor = "excitatory"
plasticity = { rule = "stdp", weight_dependence = "additive", tau_plus = 20.0, tau_minus = 20.0, A_plus = 0.01, A_minus = 0.0105, w_min = 0.0, w_max = 6.0 }
[[projection]]
name = "PS"
source = "P"
target = "S"
rule = "fixed_indegree"
indegree = 60
allow_multapses = true
weight = 4.0
delay = 1.0
plasticity = { rule = "stdp", weight_dependence = "multiplicative", pairing = "nearest", tau_plus = 16.8, tau_minus = 33.7, A_plus = 0.02, A_minus = 0.03, w_min = 0.0, w_max = 8.0 }
[[projection]]
name = "PE"
source = "P"
target = "E"
rule = "pairwise_bernoulli"
p = 0.3
weight = 2.0
delay = { distribution = "uniform", low = 0.1, high = 3.0 }
receptor = "excitatory"
plasticity = { rule = "stdp_triplet", A2_plus = 5e-3, A3_plus = 6.5e-3, A2_minus = 7.1e-3, A3_minus = 2.3e-3, w_min = 0.0, w_max = 4.0, dendritic_delay_fraction = 0.5 }
[[projection]]
source = "E"
target = "E"
rule = "pairwise_bernoulli"
p = 0.02
weight = 20.0
delay = 0.5
receptor = "inhibitory"
[[projection]]
name = "ES"
source = "E"
target = "S"
rule = "pairwise_bernoulli"
p = 0.25
weight = 1.0
delay = 1.5
plasticity = { rule = "stdp", weight_dependence = "power_law", mu_plus = 0.4, mu_minus = 0.4, tau_plus = 15.0, tau_minus = 20.0, A_plus = 0.02, A_minus = 0.021, w_min = 0.0, w_max = 4.0 }
[[projection]]
name = "PD"
source = "P"
target = "D"
rule = "pairwise_bernoulli"
p = 0.5
weight = 1.0
delay = 1.0
plasticity = { rule = "stdp", weight_dependence = "power_law", mu_plus = 0.4, mu_minus = 0.7, tau_plus = 15.0, tau_minus = 20.0, A_plus = 0.05, A_minus = 0.06, w_min = 0.0, w_max = 2.0 }
[[stimulus]]
type = "poisson_input"
target = "D"
rate = 1200.0
weight = 1.0
[[stimulus]]
type = "poisson_input"
target = "E"
rate = 2400.0
weight = 1.5
[[stimulus]]
type = "dc_source"
target = "S"
amplitude = 330.0
[[recorder]]
type = "spikes"
)";
  const test::flag_guard restore{stdp_simd_enabled};
  const auto vec = test::run_with(stdp_simd_enabled, true, net, 2500.0);
  const auto scalar = test::run_with(stdp_simd_enabled, false, net, 2500.0);
  test::check_same_spikes(*vec, *scalar, 20);
  const auto wv = vec->plastic_weights(), ws = scalar->plastic_weights();
  REQUIRE(wv.size() == 5);
  REQUIRE(ws.size() == 5);
  for (std::size_t i = 0; i < wv.size(); ++i) {
    INFO("projection " << wv[i].projection);
    const std::string& name = wv[i].projection;
    const double w0 = name == "EE" ? 3.0 : name == "PS" ? 4.0 : name == "PD" || name == "ES" ? 1.0 : 2.0;
    REQUIRE(wv[i].weights.size() == ws[i].weights.size());
    std::size_t changed = 0, differ = 0;
    for (std::size_t s = 0; s < wv[i].weights.size(); ++s) {
      changed += wv[i].weights[s] != w0;
      differ += wv[i].weights[s] != ws[i].weights[s];
    }
    CHECK(changed > wv[i].weights.size() / 2);   // the rules did work
    CHECK(differ == 0);
  }
}
