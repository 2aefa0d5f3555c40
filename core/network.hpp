#pragma once
// The description of a network, as a model file or the API states it: plain,
// validated values in the documented units (ms, mV, pA, nS, pF, Hz). The
// simulation lowers it once into runtime structure-of-arrays.
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "core/connectivity.hpp"
#include "core/distribution.hpp"

namespace apical {

struct simulation_spec {
  std::string name = "network";
  double resolution = 0.1;    ///< h [ms]
  double duration = 1000.0;   ///< [ms]
  std::uint64_t seed = 1;
  int threads = 1;
  int partitions = 0;         ///< 0: chosen from the thread count
};

struct population_spec {
  std::string name;
  std::string model;
  std::uint64_t size = 0;
  std::map<std::string, double> params;
  std::map<std::string, distribution> initial;    ///< initial state per neuron
  bool precise_times = false;                      ///< lif_exp: precise spike times
  std::string integrator;                          ///< pyramidal_2c: "exact" (empty), "rk4", "dopri5"
  std::vector<std::vector<double>> spike_times;   ///< spike_source: times per node [ms]
};

/// A learning rule attached to a projection (plasticity/stdp.hpp lowers and
/// validates it): the rule's name, its numeric parameters and its named options.
struct plasticity_spec {
  std::string rule;                                 ///< "stdp", "stdp_triplet"; empty: static
  std::map<std::string, double> params;
  std::map<std::string, std::string> options;       ///< weight_dependence, pairing
  bool plastic() const { return !rule.empty(); }
};

struct projection_spec {
  std::string name;      ///< unique; names the projection in weight recordings
  std::string source, target;
  connection_rule rule;
  distribution weight;   ///< mV (lif_delta), pA (current-based), nS (conductance-based)
  distribution delay = distribution::constant_of(1.0);   ///< ms, >= h
  std::string receptor;  ///< "excitatory" / "inhibitory"; empty: by the sign of the weight
  plasticity_spec plasticity;
  /// Node ids (ascending) of the source / target population that take part, as
  /// PyNN's PopulationView; empty: all. The rule connects the selections as if
  /// they were populations.
  std::vector<std::uint32_t> source_nodes, target_nodes;

  std::uint64_t pre_count(std::uint64_t population_size) const { return source_nodes.empty() ? population_size : source_nodes.size(); }
  std::uint64_t post_count(std::uint64_t population_size) const { return target_nodes.empty() ? population_size : target_nodes.size(); }
  /// Whether index i on both sides is the same node (autapse rules apply).
  bool same_nodes() const { return source == target && source_nodes == target_nodes; }
};

struct stimulus_spec {
  std::string type;      ///< "poisson_input", "dc_source" or "sinusoidal_input"
  std::string target;
  double rate = 0.0;     ///< Hz (poisson_input)
  double weight = 0.0;   ///< per event (poisson_input)
  std::string receptor;
  double amplitude = 0.0;   ///< pA (dc_source); the receptor's weight unit (sinusoidal_input)
  double offset = 0.0;      ///< sinusoidal_input: added every step besides the sine, the receptor's weight unit
  double frequency = 0.0;   ///< sinusoidal_input: Hz
  double phase = 0.0;       ///< sinusoidal_input: degrees
  double start = 0.0, stop = std::numeric_limits<double>::infinity();   ///< ms
};

struct recorder_spec {
  enum class kind { spikes, state, weights };
  kind type = kind::spikes;
  std::vector<std::string> populations;   ///< empty: every population (spikes)
  bool record = true;                     ///< spikes: keep the spike times (false: count only, Brian2's SpikeMonitor(record=False))
  std::vector<std::string> variables;     ///< state
  std::vector<std::uint32_t> neurons;     ///< state: node ids; empty: first `count`
  std::uint32_t count = 0;                ///< state: record the first `count` nodes (0: all given in neurons)
  double interval = 1.0;                  ///< ms, state and weights
  std::string projection;                 ///< weights: the projection's name
  std::vector<std::uint32_t> targets;     ///< weights: record the synapses onto these target nodes; empty: all
  bool on_change = false;                 ///< weights: record every change instead of sampling every `interval`
};

struct network_spec {
  simulation_spec sim;
  std::vector<population_spec> populations;
  std::vector<projection_spec> projections;
  std::vector<stimulus_spec> stimuli;
  std::vector<recorder_spec> recorders;
  std::string source_file;   ///< where it came from, for messages

  const projection_spec* find_projection(const std::string& name) const {
    for (const auto& p : projections)
      if (p.name == name) return &p;
    return nullptr;
  }
  const population_spec* find(const std::string& name) const {
    for (const auto& p : populations)
      if (p.name == name) return &p;
    return nullptr;
  }
};

}  // namespace apical
