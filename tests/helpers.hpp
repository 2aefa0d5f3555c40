#pragma once
// Test helpers: build networks from TOML snippets, as users write them.
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

}  // namespace apical::test
