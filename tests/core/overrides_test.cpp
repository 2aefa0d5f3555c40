// Command-line overrides of model-file keys (core/overrides.hpp): each path
// form reaches the key it names, the overridden value is validated as if it
// were in the file, and wrong paths are refused with the override named.
#include <doctest/doctest.h>

#include "core/model_file.hpp"

using namespace apical;

namespace {
const char* model = R"([simulation]
duration = 100.0
[[population]]
name = "E"
model = "lif_exp"
size = 10
params = { tau_m = 20.0 }
[[population]]
name = "I"
model = "lif_exp"
size = 5
[[projection]]
source = "E"
target = "I"
rule = "fixed_indegree"
indegree = 2
weight = 1.0
[[projection]]
name = "back"
source = "I"
target = "E"
rule = "all_to_all"
weight = -1.0
[[stimulus]]
type = "poisson_input"
target = "E"
rate = 100.0
weight = 1.0
)";

network_spec with(std::vector<std::string> sets) {
  std::vector<key_override> o;
  for (const auto& s : sets) o.push_back(parse_override(s));
  return parse_model(model, "m.toml", ".", o);
}

std::string error_of(std::vector<std::string> sets) {
  try {
    with(std::move(sets));
  } catch (const model_error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("overrides reach the keys they name") {
  const network_spec base = with({});
  CHECK(base.populations[0].params.at("tau_m") == 20.0);
  CHECK(base.populations[1].params.count("tau_m") == 0);

  const network_spec s = with({"simulation.duration=250", "population.E.tau_m=15", "population.I.params.C_m=200",
                               "population.1.initial.V_m=-60", "projection.E_to_I.weight=2.5", "projection.back.delay=3",
                               "stimulus.0.rate=12e3", "population.I.size=7"});
  CHECK(s.sim.duration == 250.0);
  CHECK(s.populations[0].params.at("tau_m") == 15.0);
  CHECK(s.populations[1].params.at("C_m") == 200.0);
  CHECK(s.populations[1].initial.at("V_m").expectation() == -60.0);
  CHECK(s.populations[1].size == 7);
  CHECK(s.projections[0].weight.expectation() == 2.5);
  CHECK(s.projections[1].delay.expectation() == 3.0);
  CHECK(s.stimuli[0].rate == 12000.0);
  // later overrides win; a bare word is a string
  CHECK(with({"population.E.tau_m=15", "population.E.tau_m=11"}).populations[0].params.at("tau_m") == 11.0);
  CHECK(with({"population.E.model=lif_delta"}).populations[0].model == "lif_delta");
}

TEST_CASE("overridden values are validated and wrong paths refused, naming the override") {
  CHECK(error_of({"population.E.tau_m=-5"}) == "--set population.E.tau_m=-5: population[0].params.tau_m: must be > 0 ms (got -5)");
  CHECK(error_of({"population.X.tau_m=5"}).find("no population named or numbered 'X'") != std::string::npos);
  CHECK(error_of({"population.7.tau_m=5"}).find("no population named or numbered '7'") != std::string::npos);
  CHECK(error_of({"projection.E_to_I.wieght=1"}).find("--set projection.E_to_I.wieght=1: projection[0].wieght: unknown key") == 0);
  CHECK(error_of({"simulation.duration=abc"}).find("simulation.duration: must be a number") != std::string::npos);
  CHECK(error_of({"population.E=3"}).find("names population 'E' itself") != std::string::npos);
  CHECK(error_of({"simulation..seed=3"}).find("empty part") != std::string::npos);
  CHECK(error_of({"projection.back.delay=0.01"}).find("delays must be >= the resolution") != std::string::npos);
  CHECK_THROWS_AS(parse_override("duration"), std::invalid_argument);
}

TEST_CASE("sweep values split at the commas outside brackets and quotes") {
  CHECK(split_values("1,2,3") == std::vector<std::string>{"1", "2", "3"});
  CHECK(split_values("[1, 2],[3]") == std::vector<std::string>{"[1, 2]", "[3]"});
  CHECK(split_values("\"a,b\",c") == std::vector<std::string>{"\"a,b\"", "c"});
  CHECK(split_values("15") == std::vector<std::string>{"15"});
}
