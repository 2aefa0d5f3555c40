#pragma once
// Output writers. Spikes go to one SONATA file for all populations:
//   /spikes/<population>/timestamps  float64 [N], @units = "ms"
//   /spikes/<population>/node_ids    uint64  [N]
//   /spikes/<population>          @sorting = enum {none, by_id, by_time} = by_time
// Recorded state goes to SONATA frame reports, one file per variable:
//   /report/<population>/data                  float64 [N_time x N_nodes], @units
//   /report/<population>/mapping/node_ids      uint64  [N_nodes]
//   /report/<population>/mapping/index_pointers, element_ids
//   /report/<population>/mapping/time          float64 [start, stop, dt] (ms)
// Files are written under a temporary name and renamed when complete, so an
// interrupted run never leaves a file that looks finished.
#include <string>
#include <vector>

#include "core/recorder.hpp"

namespace apical {

/// Writes every stored spike log to `path` (atomically).
void write_spikes_sonata(const std::string& path, const std::vector<spike_log>& logs);

/// Writes the state logs that record `variable` to `path` (atomically).
void write_state_report(const std::string& path, const std::vector<state_log>& logs, const std::string& variable,
                        const std::string& unit);

/// Writes weights of plastic projections to `path` (atomically), one group per projection:
///   /weights/<projection>/{source_node_ids, target_node_ids} uint64 [N] (population-local)
///   /weights/<projection>/delays   float64 [N], @units "ms"
///   /weights/<projection>/weights  float64 [N], the final weights, @units
/// and for a weight recorder of that projection, its samples:
///   /weights/<projection>/recorded/{source_node_ids, target_node_ids}  [M]
///   /weights/<projection>/recorded/data  float64 [N_time x M], @units
///   /weights/<projection>/recorded/time  float64 [start, stop, dt] (ms)
///   on_change recorders (attribute mode = "on_change") instead: data, synapse
///   (uint32, index into recorded/*_node_ids) and time (ms) per change [E]
/// `units` gives each projection's weight unit, in the order of `finals`.
void write_weights(const std::string& path, const std::vector<weight_table>& finals, const std::vector<std::string>& units,
                   const std::vector<weight_log>& recorded);

/// Writes spikes as text: one "population node_id time_ms" line each.
void write_spikes_csv(const std::string& path, const std::vector<spike_log>& logs);

/// Unit of a state variable by its NEST name (mV, pA, nS).
std::string unit_of(const std::string& variable);

}  // namespace apical
