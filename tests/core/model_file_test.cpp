#include <doctest/doctest.h>

#include <string>

#include "helpers.hpp"

using namespace apical;

namespace {
const std::string base = R"([simulation]
resolution = 0.1
duration = 100.0

[[population]]
name = "E"
model = "lif_exp"
size = 10
params = { tau_m = 10.0 }

[[population]]
name = "I"
model = "lif_exp"
size = 5

[[projection]]
source = "E"
target = "I"
rule = "pairwise_bernoulli"
p = 0.5
weight = 10.0
delay = 1.5
)";

/// Replaces `from` in the base model by `to` and expects an error at (line, key).
void expect_error(const std::string& from, const std::string& to, unsigned line, const std::string& key,
                  const std::string& fragment) {
  std::string text = base;
  const auto pos = text.find(from);
  REQUIRE(pos != std::string::npos);
  text.replace(pos, from.size(), to);
  try {
    parse_model(text, "bad.toml");
    FAIL("no error for: " << to);
  } catch (const model_error& e) {
    INFO(e.what());
    CHECK(e.file() == "bad.toml");
    CHECK(e.line() == line);
    CHECK(e.key() == key);
    CHECK(std::string(e.what()).find(fragment) != std::string::npos);
    CHECK(std::string(e.what()).rfind("bad.toml:" + std::to_string(line) + ": " + key + ": ", 0) == 0);
  }
}
}  // namespace

TEST_CASE("the base model is valid") {
  const auto net = parse_model(base, "ok.toml");
  CHECK(net.populations.size() == 2);
  CHECK(net.projections.front().rule.p == 0.5);
  CHECK(net.populations.front().params.at("tau_m") == 10.0);
}

TEST_CASE("a spike recorder records unless record = false") {
  CHECK(parse_model(base + "[[recorder]]\ntype = \"spikes\"\n", "ok.toml").recorders.front().record);
  CHECK_FALSE(parse_model(base + "[[recorder]]\ntype = \"spikes\"\nrecord = false\n", "ok.toml").recorders.front().record);
  // an empty list is every population, as without the key
  CHECK_FALSE(parse_model(base + "[[recorder]]\ntype = \"spikes\"\nrecord = false\npopulations = []\n", "ok.toml").recorders.front().record);
}

TEST_CASE("bad plasticity and weight recorders: each error names file, line and key") {
  const std::string d = "delay = 1.5";
  auto plastic = [&](const std::string& body) { return d + "\n[projection.plasticity]\nrule = \"stdp\"\nw_max = 20.0\n" + body; };
  SUBCASE("unknown rule") {
    expect_error(d, d + "\n[projection.plasticity]\nrule = \"stdpp\"", 24, "projection[0].plasticity.rule", "unknown plasticity rule");
  }
  SUBCASE("negative time constant") {
    expect_error(d, plastic("tau_plus = -5.0"), 26, "projection[0].plasticity.tau_plus", "must be > 0 ms");
  }
  SUBCASE("unknown parameter") { expect_error(d, plastic("tau_plu = 5.0"), 26, "projection[0].plasticity.tau_plu", "unknown parameter of stdp"); }
  SUBCASE("unknown option value") { expect_error(d, plastic("pairing = \"closest\""), 26, "projection[0].plasticity.pairing", "unknown value"); }
  SUBCASE("exponent without power law") {
    expect_error(d, plastic("mu_plus = 0.5"), 26, "projection[0].plasticity.mu_plus", "only the power_law");
  }
  SUBCASE("bounds") { expect_error(d, plastic("w_min = 30.0"), 25, "projection[0].plasticity.w_max", "must be > w_min"); }
  SUBCASE("initial weights outside the bounds") {
    expect_error(d, d + "\n[projection.plasticity]\nrule = \"stdp\"\nw_max = 5.0", 23, "projection[0].plasticity",
                 "initial weights must lie in [w_min, w_max]");
  }
  SUBCASE("reward-modulated STDP without a modulator") {
    expect_error(d, d + "\n[projection.plasticity]\nrule = \"stdp_dopamine\"\nw_max = 20.0", 23,
                 "projection[0].plasticity.modulator", "needs the population");
  }
  SUBCASE("reward-modulated STDP with a missing modulator population") {
    expect_error(d, d + "\n[projection.plasticity]\nrule = \"stdp_dopamine\"\nw_max = 20.0\nmodulator = \"DA\"", 26,
                 "projection[0].plasticity.modulator", "no population named 'DA'");
  }
  SUBCASE("reward-modulated STDP with a negative eligibility time constant") {
    expect_error(d, d + "\n[projection.plasticity]\nrule = \"stdp_dopamine\"\nmodulator = \"E\"\ntau_c = -1.0", 26,
                 "projection[0].plasticity.tau_c", "must be > 0 ms");
  }
  SUBCASE("weight recorder of a static projection") {
    expect_error(d, d + "\n[[recorder]]\ntype = \"weights\"\nprojection = \"E_to_I\"", 25, "recorder[0].projection", "is static");
  }
  SUBCASE("on_change weight recorder with an interval") {
    expect_error(d, plastic("[[recorder]]\ntype = \"weights\"\nprojection = \"E_to_I\"\non_change = true\ninterval = 1.0"), 30,
                 "recorder[0].interval", "samples no interval");
  }
  SUBCASE("a second weight recorder of one projection") {
    expect_error(d, plastic("[[recorder]]\ntype = \"weights\"\nprojection = \"E_to_I\"\n[[recorder]]\ntype = \"weights\"\nprojection = \"E_to_I\"\ninterval = 2.0"),
                 31, "recorder[1].projection", "has a weight recorder already");
  }
  SUBCASE("spike recorder's record not a boolean") {
    expect_error(d, d + "\n[[recorder]]\ntype = \"spikes\"\nrecord = 0", 25, "recorder[0].record", "must be true or false");
  }
  SUBCASE("count-only spike recorder naming populations") {
    expect_error(d, d + "\n[[recorder]]\ntype = \"spikes\"\nrecord = false\npopulations = [\"E\"]", 26, "recorder[0].populations",
                 "record = false keeps no spikes");
  }
  SUBCASE("weight recorder of a missing projection") {
    expect_error(d, plastic("[[recorder]]\ntype = \"weights\"\nprojection = \"EI\""), 28, "recorder[0].projection",
                 "no projection named 'EI'");
  }
}

TEST_CASE("bad model files: each error names file, line and key") {
  SUBCASE("unknown key") { expect_error("size = 5", "size = 5\ntau = 3.0", 15, "population[1].tau", "unknown key"); }
  SUBCASE("unknown parameter") {
    expect_error("params = { tau_m = 10.0 }", "params = { tau_mem = 10.0 }", 9, "population[0].params.tau_mem", "unknown parameter");
  }
  // a missing key is reported at the header of its table
  SUBCASE("missing required key") { expect_error("weight = 10.0\n", "", 16, "projection[0].weight", "missing required key"); }
  SUBCASE("missing size") { expect_error("size = 5\n", "", 11, "population[1].size", "missing required key"); }
  SUBCASE("wrong type") { expect_error("size = 5", "size = \"five\"", 14, "population[1].size", "must be an integer, got a string"); }
  SUBCASE("negative time constant") {
    expect_error("params = { tau_m = 10.0 }", "params = { tau_m = -10.0 }", 9, "population[0].params.tau_m", "must be > 0 ms");
  }
  SUBCASE("delay below the step") {
    expect_error("delay = 1.5", "delay = 0.05", 22, "projection[0].delay", "must be >= the resolution");
  }
  SUBCASE("delay distribution reaching below the step") {
    expect_error("delay = 1.5", "delay = { distribution = \"uniform\", low = 0.0, high = 2.0 }", 22, "projection[0].delay",
                 "must be >= the resolution");
  }
  SUBCASE("probability outside [0, 1]") {
    expect_error("p = 0.5", "p = 1.5", 20, "projection[0].p", "probability must lie in [0, 1]");
    expect_error("p = 0.5", "p = -0.1", 20, "projection[0].p", "probability must lie in [0, 1]");
  }
  SUBCASE("nonexistent population in a projection") {
    expect_error("target = \"I\"", "target = \"X\"", 18, "projection[0].target", "no population named 'X'");
  }
  SUBCASE("unknown model") { expect_error("model = \"lif_exp\"\nsize = 5", "model = \"lif_foo\"\nsize = 5", 13, "population[1].model", "unknown model"); }
  SUBCASE("negative resolution") { expect_error("resolution = 0.1", "resolution = -0.1", 2, "simulation.resolution", "must be > 0 ms"); }
  SUBCASE("duration off the grid") { expect_error("duration = 100.0", "duration = 100.05", 3, "simulation.duration", "multiple of the resolution"); }
  SUBCASE("conductances must not be negative") {
    // the target becomes conductance-based and the weight negative
    const std::string tail = "\n\n[[projection]]\nsource = \"E\"\ntarget = \"I\"\nrule = \"pairwise_bernoulli\"\np = 0.5\nweight = ";
    expect_error("model = \"lif_exp\"\nsize = 5" + tail + "10.0", "model = \"lif_cond_exp\"\nsize = 5" + tail + "-10.0", 21,
                 "projection[0].weight", "must be >= 0 nS");
  }
  SUBCASE("rule parameter of another rule") {
    expect_error("p = 0.5", "p = 0.5\nindegree = 3", 21, "projection[0].indegree", "not a parameter of rule pairwise_bernoulli");
  }
  SUBCASE("syntax error") { expect_error("size = 5", "size = = 5", 14, "(syntax)", "not valid TOML"); }
}
