#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <fstream>

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
