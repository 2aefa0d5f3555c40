#pragma once
// Command-line overrides of model-file keys (`apical run --set KEY=VALUE`,
// `apical sweep --vary KEY=V1,V2,...`), applied to the parsed file before it is
// read, so an overridden value is validated exactly as if it were in the file.
//
// KEY is a dotted path into the file. The element of an array of tables
// ([[population]], [[projection]], [[stimulus]], [[recorder]]) is chosen by its
// name (a projection without one by its default name SOURCE_to_TARGET) or by its
// index from 0; for a population a key that is not one of its own is a
// parameter:
//   simulation.duration=500          population.E.tau_m=15
//   population.E.params.tau_m=15     population.E.initial.V_m=-65
//   projection.E_to_I.weight=0.2     stimulus.0.rate=12000
// VALUE is a TOML value (15, 1e-3, true, "exact", [1, 2]); text that is not
// TOML is taken as a string (population.E.model=lif_exp).
#include <string>
#include <utility>
#include <vector>

#include <toml.hpp>

namespace apical {

struct key_override {
  std::string key;     ///< dotted path
  std::string value;   ///< TOML text
  std::string text() const { return key + "=" + value; }
};

/// Splits "KEY=VALUE"; throws std::invalid_argument naming the text when there is no '='.
key_override parse_override(const std::string& assignment);

/// Splits a sweep's "V1,V2,..." at the commas outside brackets and quotes.
std::vector<std::string> split_values(const std::string& list);

/// Sets every override in `root` (in order). Throws model_error naming the
/// override ("--set KEY=VALUE") when the path leads nowhere.
void apply_overrides(toml::value& root, const std::vector<key_override>& overrides);

}  // namespace apical
