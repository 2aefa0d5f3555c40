// Population rates of the standard networks against the Brian2 peer.
//
// Bands: mean +- 3 sd of the rate over 8 seeds (1..8) of the Brian2 2.5.1 peer
// scripts (../shared/peers/brian2/{cuba,coba}.py --duration 1 --threads 1,
// C++ standalone, dt = 0.1 ms), measured 2026-11-22 on the development machine;
// the numbers and the command are in bench/RESULTS.md.
#include <doctest/doctest.h>

#include <algorithm>

#include "core/model_file.hpp"
#include "core/simulation.hpp"

using namespace apical;

namespace {
struct band {
  const char* population;
  double mean, sd;
};

void check_rates(const char* model, std::initializer_list<band> bands) {
  for (int seed : {1, 2, 3}) {
    auto spec = load_model_file(std::string(APICAL_SOURCE_DIR) + "/models/" + model);
    spec.sim.seed = static_cast<std::uint64_t>(seed);
    simulation sim(spec);
    sim.run(1000.0);
    for (const band& b : bands) {
      const auto& logs = sim.spikes();
      const auto it = std::find_if(logs.begin(), logs.end(), [&](const spike_log& l) { return l.population == b.population; });
      REQUIRE(it != logs.end());
      const double rate = double(it->count) / it->size;   // 1 s
      INFO(model << " seed " << seed << " population " << b.population << ": " << rate << " Hz, Brian2 band "
                 << b.mean - 3 * b.sd << " .. " << b.mean + 3 * b.sd << " Hz");
      CHECK(rate > b.mean - 3 * b.sd);
      CHECK(rate < b.mean + 3 * b.sd);
    }
  }
}
}  // namespace

TEST_CASE("CUBA population rates lie in the Brian2 peer's band") {
  check_rates("cuba.toml", {{"E", 5.639, 0.238}, {"I", 5.635, 0.065}});
}
