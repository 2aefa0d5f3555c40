#pragma once
// Test helpers: build networks from TOML snippets, as users write them.
#include <doctest/doctest.h>

#include <cstddef>
#include <cstring>
#include <memory>
#include <string>

#include "core/model_file.hpp"
#include "core/simulation.hpp"

namespace apical::test {

inline network_spec parse(const std::string& toml) { return parse_model(toml, "test.toml"); }

/// Header for small test networks: resolution h, duration T, seed.
inline std::string sim_header(double h = 0.1, double T = 100.0, int seed = 1, int threads = 1) {
  return "[simulation]\nresolution = " + std::to_string(h) + "\nduration = " + std::to_string(T) +
         "\nseed = " + std::to_string(seed) + "\nthreads = " + std::to_string(threads) + "\n";
}

inline std::string source_path(const std::string& rel) { return std::string(APICAL_SOURCE_DIR) + "/" + rel; }

/// Puts a switch between two forms of a loop (grid_simd_enabled,
/// stdp_simd_enabled) back to `value` when the test leaves, however it leaves.
struct flag_guard {
  bool& flag;
  bool value = true;
  ~flag_guard() { flag = value; }
};

/// `net` run for T ms with `flag` set to `value`: one of the two forms a test compares.
inline std::unique_ptr<simulation> run_with(bool& flag, bool value, const std::string& net, double T) {
  flag = value;
  auto sim = std::make_unique<simulation>(parse(net));
  sim->run(T);
  return sim;
}

/// Whether two doubles are the same bit pattern (+0 and -0 differ; a NaN equals itself).
inline bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof(double)) == 0; }

/// Checks that two runs of one network recorded the same spikes, population by
/// population, and that each population fired more than `min_spikes` times.
/// Returns the number of spikes.
inline std::size_t check_same_spikes(const simulation& a, const simulation& b, std::size_t min_spikes) {
  REQUIRE(a.spikes().size() == b.spikes().size());
  std::size_t spikes = 0;
  for (std::size_t p = 0; p < a.spikes().size(); ++p) {
    const auto &x = a.spikes()[p], &y = b.spikes()[p];
    INFO("population " << x.population);
    REQUIRE(x.times.size() > min_spikes);   // every population fires
    CHECK(x.times == y.times);
    CHECK(x.node_ids == y.node_ids);
    spikes += x.times.size();
  }
  return spikes;
}

/// Checks that two runs of one network recorded the same states bit for bit,
/// population by population; `spikes` goes into the failure message.
inline void check_same_states(const simulation& a, const simulation& b, std::size_t spikes) {
  REQUIRE(a.states().size() == b.states().size());
  for (std::size_t p = 0; p < a.states().size(); ++p) {
    const auto &x = a.states()[p], &y = b.states()[p];
    REQUIRE(x.data.size() == y.data.size());
    std::size_t differ = 0;
    for (std::size_t i = 0; i < x.data.size(); ++i)   // bitwise: NaN-free, so == is identity
      differ += !same_bits(x.data[i], y.data[i]);
    INFO("state of " << x.population << ", " << spikes << " spikes in all");
    CHECK(differ == 0);
  }
}

}  // namespace apical::test
