#pragma once
// What a run records: spikes per population (always counted, stored when a
// spike recorder asks for the population) and sampled state. File formats live
// in writers (core/sonata_writer.hpp), not here.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/time.hpp"

namespace apical {

struct spike_log {
  std::string population;
  std::uint32_t first = 0;      ///< global id of node 0
  std::uint32_t size = 0;
  bool stored = false;          ///< node_ids/times kept
  std::vector<std::uint64_t> node_ids;   ///< population-local
  std::vector<double> times;             ///< ms, sorted by time then node
  std::uint64_t count = 0;               ///< spikes counted in the last run() call, stored or not
  std::uint64_t total = 0;               ///< spikes counted since t = 0, stored or not
};

struct state_log {
  std::string population;
  std::vector<std::string> variables;
  std::vector<std::uint32_t> nodes;   ///< population-local ids, ascending
  step_t interval = 10;               ///< steps between samples
  double interval_ms = 1.0;
  std::size_t samples = 0;            ///< rows filled
  /// data[(sample * variables.size() + v) * nodes.size() + n], at times (sample+1)*interval*h
  std::vector<double> data;

  double at(std::size_t sample, std::size_t var, std::size_t node) const {
    return data[(sample * variables.size() + var) * nodes.size() + node];
  }
  double time_of(std::size_t sample) const { return double(sample + 1) * interval_ms; }
};

/// The synapses of one plastic projection, in a layout-independent order (by
/// target, then source, then delay, then creation order), with their weights.
struct weight_table {
  std::string projection;
  std::vector<std::uint64_t> sources, targets;   ///< population-local node ids
  std::vector<double> delays;                    ///< ms
  std::vector<double> weights;                   ///< the projection's weight unit
};

/// Weights of some synapses of a plastic projection sampled every `interval`,
/// or every change (on_change: one entry per update of a recorded synapse).
struct weight_log {
  weight_table synapses;                ///< which synapses (weights: their final values)
  step_t interval = 10;                 ///< steps between samples
  double interval_ms = 1.0;
  std::size_t samples = 0;
  /// sampled: data[sample * n_synapses + i], at times (sample+1)*interval*h;
  /// on_change: data[e] is the new weight of synapse change_synapses[e] at change_times[e]
  std::vector<double> data;
  bool on_change = false;
  std::vector<double> change_times;              ///< ms, the delivery time of the pre spike; sorted
  std::vector<std::uint32_t> change_synapses;    ///< index into `synapses`
  double time_of(std::size_t sample) const { return double(sample + 1) * interval_ms; }
};

/// FNV-1a hash of weight tables (bit patterns, in order). A span: one table
/// is hashed as std::span(&t, 1), without a copy.
std::uint64_t weight_hash(std::span<const weight_table> tables);

/// FNV-1a hash of every stored spike (population name, node id, time bits), in
/// order: equal hashes mean bit-identical spike trains. Printed in run summaries.
std::uint64_t spike_hash(const std::vector<spike_log>& logs);

/// FNV-1a hash of every state log's sampled values (bit patterns), in order.
std::uint64_t state_hash(const std::vector<state_log>& logs);

/// Appends the spikes of one window (sorted by time, then source) to the logs.
void log_spikes(std::vector<spike_log>& logs, const std::vector<spike>& window, double h);

}  // namespace apical
