// Node selections on projections (source_nodes / target_nodes, as PyNN's
// PopulationView): the rule connects exactly the selected nodes, the same
// synapses for any partitioning, and bad selections name file, line and key.
#include <doctest/doctest.h>

#include <set>

#include "helpers.hpp"

using namespace apical;

namespace {

/// 10 sources onto 12 lif_delta targets; the projection is plastic with zero
/// amplitudes only so that its synapse list can be read back.
std::string net(const std::string& selection, const std::string& rule, int partitions = 0) {
  return test::sim_header(0.1, 10.0) + "partitions = " + std::to_string(partitions) +
         "\n[[population]]\nname = \"S\"\nmodel = \"poisson_source\"\nsize = 10\nparams = { rate = 10.0 }\n"
         "[[population]]\nname = \"T\"\nmodel = \"lif_delta\"\nsize = 12\n"
         "[[projection]]\nname = \"p\"\nsource = \"S\"\ntarget = \"T\"\n" +
         selection + "\n" + rule +
         "\nweight = 0.5\ndelay = 1.0\n[projection.plasticity]\nrule = \"stdp\"\nA_plus = 0.0\nA_minus = 0.0\n";
}

weight_table synapses(const std::string& toml) {
  simulation sim(test::parse(toml));
  sim.build();
  return sim.weights("p");
}

}  // namespace

TEST_CASE("all_to_all between selections connects exactly the selected pairs") {
  const auto w = synapses(net("source_nodes = [2, 5]\ntarget_nodes = [1, 3, 11]", "rule = \"all_to_all\""));
  std::set<std::pair<std::uint64_t, std::uint64_t>> pairs;
  for (std::size_t i = 0; i < w.sources.size(); ++i) pairs.insert({w.sources[i], w.targets[i]});
  CHECK(w.sources.size() == 6);
  CHECK(pairs == std::set<std::pair<std::uint64_t, std::uint64_t>>{{2, 1}, {2, 3}, {2, 11}, {5, 1}, {5, 3}, {5, 11}});
}

TEST_CASE("fixed_indegree on a target selection: k inputs from selected sources onto selected targets only") {
  const auto w = synapses(net("source_nodes = [0, 1, 2, 3, 9]\ntarget_nodes = [4, 5, 6, 7]", "rule = \"fixed_indegree\"\nindegree = 3"));
  std::map<std::uint64_t, int> in;
  for (std::size_t i = 0; i < w.sources.size(); ++i) {
    CHECK(std::set<std::uint64_t>{0, 1, 2, 3, 9}.count(w.sources[i]) == 1);
    ++in[w.targets[i]];
  }
  CHECK(in == std::map<std::uint64_t, int>{{4, 3}, {5, 3}, {6, 3}, {7, 3}});
}

TEST_CASE("selected synapses do not depend on the partitioning") {
  const std::string sel = "source_nodes = [1, 4, 6, 8]\ntarget_nodes = [0, 2, 3, 5, 7, 8, 10]", rule = "rule = \"pairwise_bernoulli\"\np = 0.5";
  const auto a = synapses(net(sel, rule, 1)), b = synapses(net(sel, rule, 5)), c = synapses(net(sel, rule, 12));
  CHECK(a.sources.size() > 5);
  CHECK(a.sources == b.sources);
  CHECK(a.targets == b.targets);
  CHECK(a.sources == c.sources);
  CHECK(a.targets == c.targets);
}

TEST_CASE("bad node selections name file, line and key") {
  auto expect = [](const std::string& sel, const std::string& key, const std::string& msg) {
    try {
      test::parse(net(sel, "rule = \"all_to_all\""));
      FAIL("accepted: " << sel);
    } catch (const model_error& e) {
      const std::string what = e.what();
      CHECK(what.find("test.toml:") != std::string::npos);
      CHECK(what.find(key) != std::string::npos);
      CHECK(what.find(msg) != std::string::npos);
    }
  };
  expect("target_nodes = [3, 12]", "projection[0].target_nodes", "outside population 'T'");
  expect("source_nodes = [4, 2]", "projection[0].source_nodes", "ascending");
  expect("source_nodes = [-1]", "projection[0].source_nodes", "outside population 'S'");
  expect("target_nodes = []", "projection[0].target_nodes", "selects no node");
}
