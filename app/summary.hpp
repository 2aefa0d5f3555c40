#pragma once
// The run summary: printed with units, and written as summary.json.
#include <cstdint>
#include <string>

#include "core/simulation.hpp"

namespace apical::app {

struct run_summary {
  double biological_ms = 0;
  int threads = 1;
  std::size_t peak_memory = 0;   // bytes
  std::vector<weight_table> weights;   // final weights of the plastic projections
  std::vector<std::uint64_t> table_hashes;   // weight_hash of each table (hash_weights)
  std::uint64_t weights_hash = 0;            // weight_hash of all tables together
  std::vector<std::string> files;      // the outputs written, in the output folder
};

/// Fills table_hashes and weights_hash, hashing each table once (brunel_stdp's
/// 10 million weights take 0.35 s a pass).
void hash_weights(run_summary& s);
std::string format_summary(const simulation& sim, const run_summary& s);
std::string summary_json(const simulation& sim, const run_summary& s);

}  // namespace apical::app
