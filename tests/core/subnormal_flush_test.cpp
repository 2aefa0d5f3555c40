#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "core/subnormal_flush.hpp"
#include "helpers.hpp"

using namespace apical;

namespace {
constexpr double smallest_normal = std::numeric_limits<double>::min();

bool subnormal(double x) { return x != 0.0 && std::abs(x) < smallest_normal; }
using test::same_bits;

// One population of each model with decaying state, two neurons each: neuron 0
// receives one spike at 900 ms, neuron 1 nothing. Synaptic time constants of
// 1 ms put the decays into subnormals after ~0.7 s. The LIF neurons fire
// regularly from I_e (their V_m stays normal); lif_delta's V_m decays towards
// E_L = 0 mV itself. The pyramidal cells fire at ~100 Hz from a low theta.
std::string silent_net(double T) {
  std::string s = test::sim_header(0.1, T);
  s += R"(
[[population]]
name = "exp"
model = "lif_exp"
size = 2
params = { tau_syn_ex = 1.0, tau_syn_in = 1.0, I_e = 400.0 }
initial = { I_syn_ex = 50.0, I_syn_in = -50.0 }
[[population]]
name = "cond"
model = "lif_cond_exp"
size = 2
params = { tau_syn_ex = 1.0, tau_syn_in = 1.0, I_e = 300.0 }
initial = { g_ex = 5.0, g_in = 5.0 }
[[population]]
name = "pyr"
model = "pyramidal_2c"
size = 2
params = { tau_syn_ex = 1.0, tau_syn_in = 1.0, tau_syn_ex_d = 1.0, tau_syn_in_d = 1.0, theta = -75.0 }
initial = { g_ex = 5.0, g_in = 5.0, I_ex = 50.0, I_in = -50.0 }
[[population]]
name = "delta"
model = "lif_delta"
size = 2
params = { tau_m = 1.0, E_L = 0.0, V_th = 20.0, V_reset = 10.0 }
initial = { V_m = 15.0 }
[[population]]
name = "src"
model = "spike_source"
size = 2
spike_times = [[900.0], []]
[[recorder]]
type = "spikes"
)";
  for (const char* t : {"exp", "cond", "pyr", "delta"})
    s += std::string("[[projection]]\nsource = \"src\"\ntarget = \"") + t +
         "\"\nrule = \"one_to_one\"\nweight = 2.0\ndelay = 1.0\nreceptor = \"" +
         (std::string(t) == "pyr" ? "soma_exc" : "excitatory") + "\"\n";
  return s;
}
}  // namespace

TEST_CASE("flush_subnormals: subnormals become +0, everything else is left as it is") {
  const double dmin = std::numeric_limits<double>::denorm_min(), inf = std::numeric_limits<double>::infinity(),
               nan = std::numeric_limits<double>::quiet_NaN();
  double x[] = {dmin, -dmin, 25 * dmin, smallest_normal / 2, -smallest_normal / 2, std::nextafter(smallest_normal, 0.0),
                smallest_normal, -smallest_normal, 1e-300, 0.0, -0.0, 1.0, -70.0, inf, -inf, nan};
  const double expected[] = {0, 0, 0, 0, 0, 0, smallest_normal, -smallest_normal, 1e-300, 0.0, 0.0, 1.0, -70.0, inf, -inf};
  constexpr std::size_t n = sizeof(x) / sizeof(x[0]);
  flush_subnormals(x, n);
  for (std::size_t i = 0; i + 1 < n; ++i) {
    INFO("element " << i);
    CHECK(same_bits(x[i], expected[i]));
  }
  CHECK(std::isnan(x[n - 1]));
}

TEST_CASE("subnormal flush: silent neurons' decaying state ends at zero, everything else is bit-identical") {
  const double T = 1000.0;
  test::flag_guard restore{subnormal_flush_enabled};
  std::string net = silent_net(T);
  for (const auto& [p, vars] : {std::pair{"exp", "\"V_m\", \"I_syn_ex\", \"I_syn_in\""}, {"cond", "\"V_m\", \"g_ex\", \"g_in\""},
                                 {"pyr", "\"V_m\", \"V_d\", \"g_ex\", \"g_in\", \"I_ex\", \"I_in\""}, {"delta", "\"V_m\""}})
    net += std::string("[[recorder]]\ntype = \"state\"\npopulations = [\"") + p + "\"]\nvariables = [" + vars + "]\ninterval = 1.0\n";
  const auto on = test::run_with(subnormal_flush_enabled, true, net, T);
  const auto off = test::run_with(subnormal_flush_enabled, false, net, T);

  // spikes: the same, and the LIF populations and the pyramidal cells fire
  REQUIRE(on->spikes().size() == off->spikes().size());
  for (std::size_t p = 0; p < on->spikes().size(); ++p) {
    const auto &a = on->spikes()[p], &b = off->spikes()[p];
    INFO("population " << a.population);
    CHECK(a.times == b.times);
    CHECK(a.node_ids == b.node_ids);
    if (a.population == "exp" || a.population == "cond" || a.population == "pyr") CHECK(a.times.size() > 10);
  }

  // recorded states, every variable every 1 ms: equal bit for bit, except where
  // the unflushed run holds a subnormal and the flushed one +0
  REQUIRE(on->states().size() == off->states().size());
  for (std::size_t p = 0; p < on->states().size(); ++p) {
    const auto &a = on->states()[p], &b = off->states()[p];
    INFO("state of " << a.population);
    REQUIRE(a.data.size() == b.data.size());
    std::size_t differ = 0, flushed = 0;
    for (std::size_t i = 0; i < a.data.size(); ++i) {
      if (same_bits(a.data[i], b.data[i])) continue;
      if (subnormal(b.data[i]) && same_bits(a.data[i], 0.0))
        ++flushed;
      else
        ++differ;
    }
    CHECK(differ == 0);
    CHECK(flushed > 0);   // each population's state did reach subnormals
  }

  // at the end: the silent neuron's decaying state is subnormal without the
  // flush (stuck there: x P rounds back to x) and exactly zero with it; so is
  // neuron 0's, except for the variable its input went to (first in each list),
  // normal and equal 100 ms after the input
  const std::pair<std::size_t, std::vector<std::string>> decaying[] = {
      {0, {"I_syn_ex", "I_syn_in"}}, {1, {"g_ex", "g_in"}}, {2, {"g_ex", "g_in", "I_ex", "I_in"}}, {3, {"V_m"}}};
  for (const auto& [p, vars] : decaying)
    for (const std::string& v : vars) {
      INFO("population " << p << ", " << v);
      const double* a = on->dynamics(p).state(v);
      const double* b = off->dynamics(p).state(v);
      REQUIRE(a != nullptr);
      CHECK(subnormal(b[1]));
      CHECK(same_bits(a[1], 0.0));
      if (v == vars.front()) {
        CHECK(!subnormal(b[0]));
        CHECK(b[0] != 0.0);
        CHECK(same_bits(a[0], b[0]));
      } else {
        CHECK(subnormal(b[0]));
        CHECK(same_bits(a[0], 0.0));
      }
    }
}

TEST_CASE("subnormal flush: results are the same for 1 and 3 threads") {
  const double T = 1000.0;
  std::string one = silent_net(T), three = one;
  three.replace(three.find("threads = 1"), 11, "threads = 3");
  simulation a(test::parse(one)), b(test::parse(three));
  a.run(T);
  b.run(T);
  for (std::size_t p = 0; p < 4; ++p)
    for (const char* v : {"V_m", "g_ex", "g_in", "I_syn_ex", "I_syn_in", "I_ex", "I_in", "V_d"}) {
      const double *x = a.dynamics(p).state(v), *y = b.dynamics(p).state(v);
      if (!x) continue;
      INFO("population " << p << ", " << v);
      CHECK(same_bits(x[0], y[0]));
      CHECK(same_bits(x[1], y[1]));
    }
}
