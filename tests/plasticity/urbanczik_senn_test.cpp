#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <tuple>

#include "helpers.hpp"

using namespace apical;

namespace {

// 30 Poisson inputs onto the dendrites of 3 pyramidal_2c neurons whose somas
// are driven by a sinusoidal teacher; delays 0.1 - 3 ms (many delay groups)
std::string rule_net(int threads, int partitions, double T, const std::string& update = "event") {
  return test::sim_header(0.1, T, 7, threads) + "partitions = " + std::to_string(partitions) + R"(
[[population]]
name = "in"
model = "poisson_source"
size = 30
params = { rate = 25.0 }
[[population]]
name = "n"
model = "pyramidal_2c"
size = 3
[[projection]]
name = "plastic"
source = "in"
target = "n"
rule = "all_to_all"
weight = { distribution = "uniform", low = 50.0, high = 250.0 }
delay = { distribution = "uniform", low = 0.1, high = 3.0 }
receptor = "dendritic_exc"
plasticity = { rule = "urbanczik_senn", eta = 0.5, tau_Delta = 30.0, w_min = -5000.0, w_max = 5000.0, update = ")" + update + R"(" }
[[stimulus]]
type = "sinusoidal_input"
target = "n"
receptor = "soma_exc"
amplitude = 6.0
offset = 7.0
frequency = 8.0
[[stimulus]]
type = "sinusoidal_input"
target = "n"
receptor = "soma_inh"
amplitude = 0.0
offset = 15.0
frequency = 0.0
[[recorder]]
type = "spikes"
[[recorder]]
type = "state"
populations = ["n"]
variables = ["V_d"]
interval = 0.1
)";
}

}  // namespace

TEST_CASE("urbanczik_senn: the event-based weights equal the rule integrated time-driven") {
  const double h = 0.1, T = 3000.0;
  simulation sim(test::parse(rule_net(1, 0, T)));
  sim.run(T);
  const auto steps = static_cast<std::size_t>(std::llround(T / h));
  // neuron parameters (pyramidal_2c defaults), written out independently
  const double gsp = 600, gL = 30, EL = -70, Cd = 300, gLd = 30, tau_L = Cd / gLd, tau_s = 3.0;
  const double phi_max = 0.15, k = 0.5, beta = 1.0 / 3.0, theta = -55.0;
  const double eta = 0.5, tau_Delta = 30.0, kappa = 225.0 * Cd;
  auto phi = [&](double u) { return phi_max / (1.0 + k * std::exp(beta * (theta - u))); };
  auto slope = [&](double u) { return beta * k * std::exp(beta * (theta - u)) / (1.0 + k * std::exp(beta * (theta - u))); };
  // dPI of every neuron in every step, from the recorded V_d and spikes
  const auto& vd = sim.states()[0];
  REQUIRE(vd.samples == steps);
  std::vector<std::vector<double>> count(3, std::vector<double>(steps, 0.0)), dPI(3, std::vector<double>(steps));
  const auto& out = sim.spikes()[1];
  for (std::size_t s = 0; s < out.times.size(); ++s) count[out.node_ids[s]][std::size_t(std::llround(out.times[s] / h)) - 1] += 1.0;
  for (int n = 0; n < 3; ++n)
    for (std::size_t j = 0; j < steps; ++j) {
      const double v = (gL * EL + gsp * vd.at(j, 0, std::size_t(n))) / (gL + gsp);
      dPI[std::size_t(n)][j] = (count[std::size_t(n)][j] - phi(v) * h) * slope(v);
    }
  std::vector<std::vector<std::size_t>> pre_steps(30);
  const auto& in = sim.spikes()[0];
  for (std::size_t s = 0; s < in.times.size(); ++s) pre_steps[in.node_ids[s]].push_back(std::size_t(std::llround(in.times[s] / h)));
  REQUIRE(in.times.size() > 2000);
  REQUIRE(out.times.size() > 500);

  // every synapse: PSP traces and the two integrals, stepped through time
  const auto w = sim.weights("plastic");
  const double PL = std::exp(-h / tau_L), Ps = std::exp(-h / tau_s), PD = std::exp(-h / tau_Delta);
  const double c = tau_s / (gLd * (tau_L - tau_s));
  std::size_t moved = 0;
  double worst = 0.0;
  // initial weights: rebuild the network without running it
  simulation fresh(test::parse(rule_net(1, 0, T)));
  fresh.build();
  const auto w0 = fresh.weights("plastic");
  for (std::size_t q = 0; q < w.weights.size(); ++q) {
    const std::size_t src = w.sources[q], tgt = w.targets[q];
    const auto d = static_cast<std::size_t>(std::llround(w.delays[q] / h));
    std::vector<int> arrives(steps + 1, 0);
    std::size_t last = 0;
    for (std::size_t s : pre_steps[src])
      if (s + d < steps) arrives[s + d] += 1, last = s + d;
    double xL = 0, xs = 0, I = 0, E = 0, I_last = 0, E_last = 0;
    for (std::size_t j = 0; j < steps; ++j) {
      if (j == last) I_last = I, E_last = E;   // the weight is read out at the last arrival
      xL += arrives[j], xs += arrives[j];      // the current starts at the step's start
      xL *= PL, xs *= Ps;                      // now at the step's end, t_j = (j + 1) h
      const double PI = c * (xL - xs) * dPI[tgt][j];
      I += PI;
      E = E * PD + PI;
    }
    REQUIRE(w0.sources[q] == src);
    const double expected = w0.weights[q] + eta * kappa * (I_last - E_last);
    worst = std::max(worst, std::abs(w.weights[q] - expected) / std::abs(expected - w0.weights[q]));
    if (std::abs(w.weights[q] - w0.weights[q]) > 1.0) ++moved;
    CHECK(w.weights[q] == doctest::Approx(expected).epsilon(1e-6));
  }
  MESSAGE(moved << " of " << w.weights.size() << " weights moved by > 1 pA; largest relative deviation of the change " << worst);
  CHECK(moved > w.weights.size() / 2);
}

TEST_CASE("urbanczik_senn: the event-based and the time-driven update give the same weights") {
  const double T = 2000.0;
  simulation ev(test::parse(rule_net(1, 0, T, "event"))), td(test::parse(rule_net(1, 0, T, "time_driven")));
  ev.run(T);
  td.run(T);
  const auto a = ev.weights("plastic"), b = td.weights("plastic");
  REQUIRE(a.weights.size() == b.weights.size());
  for (std::size_t q = 0; q < a.weights.size(); ++q) CHECK(a.weights[q] == doctest::Approx(b.weights[q]).epsilon(1e-9));
  CHECK(ev.spikes()[1].times == td.spikes()[1].times);   // the same spikes, so the same history
}

TEST_CASE("urbanczik_senn: weights are bit-identical for any thread and partition count") {
  const double T = 1000.0;
  std::vector<double> ref;
  for (auto [threads, parts] : {std::pair{1, 0}, {2, 3}, {3, 7}}) {
    simulation sim(test::parse(rule_net(threads, parts, T)));
    sim.run(T);
    const auto w = sim.weights("plastic").weights;
    if (ref.empty())
      ref = w;
    else
      CHECK(w == ref);
  }
}

TEST_CASE("urbanczik_senn: only onto the dendrite of a pyramidal_2c") {
  const std::string head = test::sim_header() +
                           "[[population]]\nname = \"in\"\nmodel = \"poisson_source\"\nsize = 1\n"
                           "[[population]]\nname = \"n\"\nmodel = \"pyramidal_2c\"\nsize = 1\n"
                           "[[population]]\nname = \"l\"\nmodel = \"lif_cond_exp\"\nsize = 1\n";
  CHECK_THROWS_WITH_AS(test::parse(head + "[[projection]]\nsource = \"in\"\ntarget = \"l\"\nrule = \"all_to_all\"\nweight = 1.0\n"
                                          "plasticity = { rule = \"urbanczik_senn\" }\n"),
                       doctest::Contains("projection[0].plasticity.rule"), model_error);
  CHECK_THROWS_WITH_AS(test::parse(head + "[[projection]]\nsource = \"in\"\ntarget = \"n\"\nrule = \"all_to_all\"\nweight = 1.0\n"
                                          "receptor = \"soma_exc\"\nplasticity = { rule = \"urbanczik_senn\" }\n"),
                       doctest::Contains("dendritic_exc"), model_error);
  CHECK_THROWS_WITH_AS(test::parse(head + "[[projection]]\nsource = \"in\"\ntarget = \"n\"\nrule = \"all_to_all\"\nweight = 1.0\n"
                                          "receptor = \"dendritic_exc\"\nplasticity = { rule = \"urbanczik_senn\", tau_Delta = -1.0 }\n"),
                       doctest::Contains("projection[0].plasticity.tau_Delta"), model_error);
}
