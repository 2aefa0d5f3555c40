#pragma once
// The neuron and source models apical knows, by name: their parameters (with
// units and defaults), receptors, recordables, and how to lower a population
// description into runtime state.
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/network.hpp"
#include "core/population.hpp"
#include "neurons/parameters.hpp"

namespace apical {

struct model_info {
  std::string name;
  std::string description;
  std::vector<param_doc> params;
  std::vector<std::string> receptors;     ///< port names, index = port
  std::vector<std::string> state;         ///< state variables that can be initialised and recorded
  bool is_source = false;                 ///< receives no input
  std::string weight_unit;                ///< unit of weights onto this model
  bool conductance = false;               ///< weights must be >= 0 on every receptor
  std::vector<std::string> conductance_receptors;   ///< receptors whose weights must be >= 0 (besides `conductance`)
  /// Whether weights onto `receptor` (a port name) must be >= 0.
  bool takes_conductance(const std::string& receptor) const {
    return conductance || std::find(conductance_receptors.begin(), conductance_receptors.end(), receptor) != conductance_receptors.end();
  }
  /// Unit of weights onto `receptor` (models with mixed receptors: nS or pA).
  std::string unit_of_weights(const std::string& receptor) const {
    if (conductance_receptors.empty()) return weight_unit;
    return takes_conductance(receptor) ? "nS" : "pA";
  }
};

const std::vector<std::string>& model_names();
/// Null when the model is unknown.
const model_info* find_model(const std::string& name);

/// Validates a parameter set against the model (unknown names, ranges).
std::optional<param_error> check_params(const std::string& model, const std::map<std::string, double>& params);

/// Port index of a receptor name on a model, or -1. An empty name picks the
/// port by the sign of the weight (excitatory for >= 0), as NEST routes
/// current-based inputs.
int receptor_port(const std::string& model, const std::string& receptor, double weight_sign);

/// Lowers a validated population description. `stream_id` keys its random streams.
std::unique_ptr<population_dynamics> make_population(const population_spec& spec, double h, std::uint64_t seed,
                                                     std::uint64_t stream_id);

}  // namespace apical
