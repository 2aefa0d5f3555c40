#pragma once
// The run summary: printed with units, and written as summary.json.
#include <string>

#include "core/simulation.hpp"

namespace apical::app {

struct run_summary {
  double biological_ms = 0;
  int threads = 1;
  std::size_t peak_memory = 0;   // bytes
  std::vector<weight_table> weights;   // final weights of the plastic projections
  std::vector<std::string> files;      // the outputs written, in the output folder
};

std::string format_summary(const simulation& sim, const run_summary& s);
std::string summary_json(const simulation& sim, const run_summary& s);

}  // namespace apical::app
