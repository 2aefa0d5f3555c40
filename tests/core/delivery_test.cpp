#include <doctest/doctest.h>

#include <cmath>

#include "helpers.hpp"

using namespace apical;

namespace {
/// A one-node spike source projecting with each delay to its own target.
std::string delivery_net(const std::string& model, const std::string& params, const std::string& spike_times,
                         const std::vector<double>& delays, const std::string& var) {
  std::string s = test::sim_header(0.1, 10.0);
  s += "[[population]]\nname = \"src\"\nmodel = \"spike_source\"\nsize = 1\nspike_times = [" + spike_times + "]\n";
  for (std::size_t i = 0; i < delays.size(); ++i) {
    s += "[[population]]\nname = \"t" + std::to_string(i) + "\"\nmodel = \"" + model + "\"\nsize = 1\nparams = {" + params + "}\n";
    s += "[[projection]]\nsource = \"src\"\ntarget = \"t" + std::to_string(i) + "\"\nrule = \"all_to_all\"\nweight = 1.0\ndelay = " +
         std::to_string(delays[i]) + "\n";
    s += "[[recorder]]\ntype = \"state\"\npopulations = [\"t" + std::to_string(i) + "\"]\nvariables = [\"" + var + "\"]\ninterval = 0.1\n";
  }
  return s;
}
}  // namespace

TEST_CASE("a spike at t arrives at exactly t + d for every delay group") {
  const std::vector<double> delays = {0.1, 1.0, 1.5, 2.3};
  for (double t_spike : {2.0, 2.03}) {
    // lif_delta: V jumps by w at the arrival time and decays with tau_m
    auto spec = test::parse(delivery_net("lif_delta", "E_L = 0.0, V_th = 1000.0, V_reset = 0.0, tau_m = 10.0",
                                         "[" + std::to_string(t_spike) + "]", delays, "V_m"));
    simulation sim(spec);
    sim.run(10.0);
    REQUIRE(sim.states().size() == delays.size());
    for (std::size_t i = 0; i < delays.size(); ++i) {
      const auto& log = sim.states()[i];
      const double arrival = t_spike + delays[i];
      for (std::size_t m = 0; m < log.samples; ++m) {
        const double t = log.time_of(m);
        // left limit at a sample time: an arrival exactly at t is not yet seen
        const double expected = t > arrival + 1e-9 ? std::exp(-(t - arrival) / 10.0) : 0.0;
        INFO("t_spike = " << t_spike << ", delay = " << delays[i] << ", t = " << t);
        CHECK(log.at(m, 0, 0) == doctest::Approx(expected).epsilon(1e-12));
      }
    }
  }
}

TEST_CASE("lif_exp synaptic currents start at exactly t + d (grid and precise)") {
  const std::vector<double> delays = {0.1, 0.7, 1.5};
  for (const char* precise : {"false", "true"}) {
    std::string text = delivery_net("lif_exp", "V_th = 1000.0, tau_syn_ex = 2.0", "[3.0]", delays, "I_syn_ex");
    // precise timing is a population setting
    std::string::size_type pos = 0;
    while ((pos = text.find("model = \"lif_exp\"", pos)) != std::string::npos) {
      text.insert(pos + 17, std::string("\nprecise_times = ") + precise);
      pos += 20;
    }
    simulation sim(test::parse(text));
    sim.run(10.0);
    for (std::size_t i = 0; i < delays.size(); ++i) {
      const auto& log = sim.states()[i];
      const double arrival = 3.0 + delays[i];
      for (std::size_t m = 0; m < log.samples; ++m) {
        const double t = log.time_of(m);
        const double expected = t > arrival + 1e-9 ? std::exp(-(t - arrival) / 2.0) : 0.0;
        INFO("precise = " << precise << ", delay = " << delays[i] << ", t = " << t);
        CHECK(log.at(m, 0, 0) == doctest::Approx(expected).epsilon(1e-12));
      }
    }
  }
}

namespace {
std::string mixed_net(int threads, int partitions) {
  std::string s = test::sim_header(0.1, 300.0, 5, threads);
  s += "partitions = " + std::to_string(partitions) + "\n";
  s += R"(
[[population]]
name = "E"
model = "lif_delta"
size = 800
params = { tau_m = 20.0, E_L = 0.0, V_th = 20.0, V_reset = 10.0, t_ref = 2.0 }
initial = { V_m = { distribution = "uniform", low = 0.0, high = 20.0 } }
[[population]]
name = "I"
model = "lif_exp"
size = 200
precise_times = true
params = { tau_m = 10.0, E_L = -65.0, V_th = -50.0, V_reset = -65.0, t_ref = 2.0, tau_syn_ex = 0.5, tau_syn_in = 0.5, I_e = 350.0 }
[[population]]
name = "C"
model = "lif_cond_exp"
size = 150
[[population]]
name = "P"
model = "poisson_source"
size = 100
params = { rate = 20.0 }
[[projection]]
source = "E"
target = "E"
rule = "fixed_indegree"
indegree = 80
weight = 0.2
delay = { distribution = "uniform", low = 1.0, high = 3.0 }
[[projection]]
source = "I"
target = "E"
rule = "pairwise_bernoulli"
p = 0.1
weight = -1.0
delay = 0.8
[[projection]]
source = "E"
target = "I"
rule = "fixed_total_number"
N = 8000
weight = 30.0
delay = 1.2
[[projection]]
source = "P"
target = "C"
rule = "fixed_outdegree"
outdegree = 40
weight = 3.0
delay = 0.5
receptor = "excitatory"
[[projection]]
source = "E"
target = "C"
rule = "pairwise_bernoulli"
p = 0.05
weight = { distribution = "normal", mean = 2.0, std = 0.5, low = 0.0 }
delay = 0.4
[[stimulus]]
type = "poisson_input"
target = "E"
rate = 15000.0
weight = 0.1
[[recorder]]
type = "spikes"
[[recorder]]
type = "state"
populations = ["E", "I", "C"]
variables = ["V_m"]
count = 7
interval = 0.5
)";
  return s;
}
}  // namespace

TEST_CASE("results are bit-identical for any thread and partition count") {
  simulation ref(test::parse(mixed_net(1, 1)));
  ref.run(150.0);
  ref.run(150.0);   // two runs continue where the first stopped
  std::uint64_t total = 0;
  for (const auto& l : ref.spikes()) total += l.times.size();
  REQUIRE(total > 1000);   // the network is active
  for (auto [threads, parts] : {std::pair{1, 7}, {2, 0}, {3, 5}, {8, 0}, {8, 31}}) {
    simulation sim(test::parse(mixed_net(threads, parts)));
    sim.run(150.0);
    sim.run(150.0);
    INFO("threads = " << threads << ", partitions = " << sim.partition_count());
    REQUIRE(sim.spikes().size() == ref.spikes().size());
    for (std::size_t p = 0; p < ref.spikes().size(); ++p) {
      CHECK(sim.spikes()[p].node_ids == ref.spikes()[p].node_ids);
      CHECK(sim.spikes()[p].times == ref.spikes()[p].times);
    }
    REQUIRE(sim.states().size() == ref.states().size());
    for (std::size_t s = 0; s < ref.states().size(); ++s) CHECK(sim.states()[s].data == ref.states()[s].data);
    CHECK(sim.synaptic_events() == ref.synaptic_events());
  }
}

namespace {
/// A model file from models/, shrunk so that it runs in a test: sizes scaled by
/// `scale`, fixed in-degrees by `indegree_scale`.
network_spec shrunk(const std::string& file, double scale, double indegree_scale, int threads, int partitions) {
  auto spec = load_model_file(test::source_path("models/" + file));
  for (auto& p : spec.populations) p.size = static_cast<std::uint64_t>(double(p.size) * scale);
  for (auto& pr : spec.projections)
    if (pr.rule.type == connection_rule::kind::fixed_indegree)
      pr.rule.n = static_cast<std::uint64_t>(double(pr.rule.n) * indegree_scale);
  spec.sim.threads = threads;
  spec.sim.partitions = partitions;
  spec.recorders.push_back({});   // spikes of every population
  return spec;
}
}  // namespace

TEST_CASE("Brunel and COBA spike hashes do not depend on threads or partitions") {
  struct net {
    const char* file;
    double scale, indegree_scale, T;
  };
  for (const net& n : {net{"brunel2000.toml", 0.1, 0.1, 200.0}, net{"coba.toml", 1.0, 1.0, 300.0}}) {
    std::uint64_t reference = 0, spikes = 0;
    for (auto [threads, parts] : {std::pair{1, 0}, {2, 0}, {3, 0}, {8, 0}, {2, 13}}) {
      simulation sim(shrunk(n.file, n.scale, n.indegree_scale, threads, parts));
      sim.run(n.T);
      const std::uint64_t h = spike_hash(sim.spikes());
      if (reference == 0) {
        reference = h;
        for (const auto& l : sim.spikes()) spikes += l.times.size();
        REQUIRE(spikes > 500);   // the network is active
      }
      INFO(n.file << ": " << threads << " threads, " << sim.partition_count() << " partitions");
      CHECK(h == reference);
    }
  }
}

TEST_CASE("the spike logs hold every emitted spike in order, the last step's included, for any thread count") {
  // Partitions keep their spikes during a run and the logs are filled after
  // it, in chunks of steps on the threads: a grid neuron's spike in the run's
  // last step carries the run's end time, and a chunk ending before it would
  // leave a zero behind (a fault this test was written for).
  for (auto [threads, parts] : {std::pair{1, 0}, {3, 0}, {8, 31}}) {
    simulation sim(test::parse(mixed_net(threads, parts)));
    double t0 = 0;
    for (double T : {150.0, 97.3}) {
      sim.run(T);
      INFO(threads << " threads, " << sim.partition_count() << " partitions, run ending at " << t0 + T << " ms");
      for (const auto& l : sim.spikes()) {
        if (!l.stored) continue;
        REQUIRE(l.times.size() == l.total);
        REQUIRE(l.node_ids.size() == l.times.size());
        for (std::size_t i = 0; i < l.times.size(); ++i) {
          CHECK(l.times[i] >= 0.0);
          CHECK(l.times[i] <= t0 + T + 1e-9);
          CHECK(l.node_ids[i] < l.size);
          if (i > 0) CHECK((l.times[i - 1] < l.times[i] || (l.times[i - 1] == l.times[i] && l.node_ids[i - 1] < l.node_ids[i])));
        }
      }
      t0 += T;
    }
  }
}

TEST_CASE("a grid neuron's spike in a run's last step is logged, at the run's end time") {
  // a 100 nA current reaches the lif_exp neuron at 5 ms + 1.5 ms delay = 6.5 ms,
  // the start of the run's last step; the threshold is crossed in that step,
  // and the spike stamped with the step's end, 6.6 ms: the run's end
  const std::string net = test::sim_header(0.1, 6.6) + R"(
[[population]]
name = "src"
model = "spike_source"
size = 1
spike_times = [[5.0]]
[[population]]
name = "n"
model = "lif_exp"
size = 1
[[projection]]
source = "src"
target = "n"
rule = "all_to_all"
weight = 100000.0
delay = 1.5
[[recorder]]
type = "spikes"
)";
  for (int threads : {1, 2}) {
    auto spec = test::parse(net);
    spec.sim.threads = threads;
    simulation sim(spec);
    sim.run(6.6);
    const auto& log = sim.spikes()[1];
    REQUIRE(log.times.size() == 1);
    CHECK(log.times[0] == doctest::Approx(6.6).epsilon(1e-12));
    CHECK(log.node_ids[0] == 0);
  }
}
