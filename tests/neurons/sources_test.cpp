#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <numbers>

#include "helpers.hpp"

using namespace apical;

TEST_CASE("poisson_source: rate and ISI CV within 5 sigma") {
  const std::string net = test::sim_header(0.1, 10000.0, 3) + R"(
[[population]]
name = "p"
model = "poisson_source"
size = 1000
params = { rate = 10.0 }
[[recorder]]
type = "spikes"
)";
  simulation sim(test::parse(net));
  sim.run(10000.0);
  const auto& log = sim.spikes()[0];
  const double expected = 1000 * 10.0 * 10.0;   // nodes * Hz * s
  CHECK(std::abs(double(log.times.size()) - expected) < 5 * std::sqrt(expected));
  // ISIs per node: exponential with CV 1 (the grid shifts it by ~rate*h = 0.001)
  std::vector<std::vector<double>> per(1000);
  for (std::size_t i = 0; i < log.times.size(); ++i) per[log.node_ids[i]].push_back(log.times[i]);
  double s = 0, s2 = 0, n = 0;
  for (const auto& t : per)
    for (std::size_t i = 1; i < t.size(); ++i) {
      const double d = t[i] - t[i - 1];
      s += d;
      s2 += d * d;
      n += 1;
    }
  const double mean = s / n, cv = std::sqrt(s2 / n - mean * mean) / mean;
  CHECK(mean == doctest::Approx(100.0).epsilon(5 / std::sqrt(n)));
  // sd of the CV estimate for exponential ISIs is about 1/sqrt(n)
  CHECK(std::abs(cv - 1.0) < 5 / std::sqrt(n) + 0.001);
}

TEST_CASE("spike_source: times from the model file and from a spike file, off-grid times kept") {
  const std::string path = "spike_source_test_times.txt";
  {
    std::ofstream f(path);
    f << "# node_id time_ms\n0 1.25\n1 0.5\n1 3.0\n\n";
  }
  const std::string net = test::sim_header() + R"(
[[population]]
name = "s"
model = "spike_source"
size = 3
spike_times = [[7.0], [], [2.05, 0.3]]
spike_file = "spike_source_test_times.txt"
[[recorder]]
type = "spikes"
)";
  simulation sim(test::parse(net));
  sim.run(10.0);
  const auto& log = sim.spikes()[0];
  const std::vector<double> times = {0.3, 0.5, 1.25, 2.05, 3.0, 7.0};
  const std::vector<std::uint64_t> nodes = {2, 1, 0, 2, 1, 0};
  REQUIRE(log.times.size() == times.size());
  for (std::size_t i = 0; i < times.size(); ++i) {
    CHECK(log.times[i] == doctest::Approx(times[i]).epsilon(1e-12));
    CHECK(log.node_ids[i] == nodes[i]);
  }
  {
    std::ofstream f(path);
    f << "0 1.0\n7 2.0\n";
  }
  try {
    test::parse(net);
    FAIL("expected an error");
  } catch (const model_error& e) {
    CHECK(e.line() == 2);
    CHECK(std::string(e.what()).find("node_id 7 outside") != std::string::npos);
  }
  std::remove(path.c_str());
}

namespace {
/// A lif_delta population that only adds up its input: no leak to speak of
/// (tau_m = 1e12 ms), no threshold within reach, V(0) = E_L = 0.
std::string integrators(int n, double T, const std::string& stimulus) {
  return test::sim_header(0.1, T, 5) + "[[population]]\nname = \"sum\"\nmodel = \"lif_delta\"\nsize = " + std::to_string(n) +
         "\nparams = { tau_m = 1e12, E_L = 0.0, V_reset = 0.0, V_th = 1e12 }\ninitial = { V_m = 0.0 }\n[[stimulus]]\ntarget = \"sum\"\n" +
         stimulus;
}
}  // namespace

TEST_CASE("poisson_input: event counts per neuron are Poisson with mean rate x active time (5 sigma)") {
  const int n = 500;
  // 10 kHz of 1 mV events between 20 and 60 ms: mean 400 per neuron
  simulation sim(test::parse(integrators(n, 100.0, "type = \"poisson_input\"\nrate = 10000.0\nweight = 1.0\nstart = 20.0\nstop = 60.0\n")));
  sim.run(100.0);
  const double* V = sim.dynamics(0).state("V_m");
  double s = 0, s2 = 0;
  for (int i = 0; i < n; ++i) {
    CHECK(std::abs(V[i] - std::round(V[i])) < 1e-6);   // whole events of 1 mV (the leak is 1e-13 per step)
    s += V[i];
    s2 += V[i] * V[i];
  }
  const double mean = s / n, var = s2 / n - mean * mean, expected = 10000.0 * 0.040;
  CHECK(std::abs(mean - expected) < 5 * std::sqrt(expected / n));
  CHECK(std::abs(var - expected) < 5 * expected * std::sqrt(2.0 / (n - 1)));   // Poisson: variance = mean
}

TEST_CASE("sinusoidal_input: adds offset + amplitude sin(2 pi f t + phase) every step, as the closed-form sum") {
  // steps k = 100 .. 899 (10 to 90 ms), t_k = k h; sum of sin(a + k d) over n steps
  // = sin(a + (n - 1) d / 2) sin(n d / 2) / sin(d / 2)
  simulation sim(test::parse(integrators(
      2, 100.0, "type = \"sinusoidal_input\"\namplitude = 3.0\noffset = 0.5\nfrequency = 37.0\nphase = 30.0\nstart = 10.0\nstop = 90.0\nreceptor = \"excitatory\"\n")));
  sim.run(100.0);
  const double h = 0.1, d = 2 * std::numbers::pi * 37.0 * 1e-3 * h, a = 2 * std::numbers::pi * 37.0 * 1e-3 * 10.0 + std::numbers::pi / 6;
  const int steps = 800;
  const double expected = 0.5 * steps + 3.0 * std::sin(a + (steps - 1) * d / 2) * std::sin(steps * d / 2) / std::sin(d / 2);
  const double* V = sim.dynamics(0).state("V_m");
  CHECK(V[0] == doctest::Approx(expected).epsilon(1e-9));
  CHECK(V[1] == V[0]);
}
