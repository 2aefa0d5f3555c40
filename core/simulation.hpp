#pragma once
// A Simulation owns everything of one network: populations, partitions with
// their synapses and queues, recorders. No globals: two simulations can live in
// one process.
//
// The run loop is a conservative parallel discrete-event simulation: time
// advances in windows of the smallest delay d_min; in a window every partition
// (1) pulls the previous window's spikes into its own queue, (2) delivers and
// steps its neurons, (3) appends spikes to its outbox; then the outboxes are
// merged into the next window's spike list, sorted by (time, source). With
// counter-based random streams, results are bit-identical for any number of
// threads and partitions.
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/comm.hpp"
#include "core/network.hpp"
#include "core/partition.hpp"
#include "core/recorder.hpp"
#include "core/state_io.hpp"

namespace apical {

class stimulus;

struct phase_report {
  double build = 0;      ///< s wall, network construction
  double deliver = 0;    ///< s, summed over threads: queueing and delivering events
  double update = 0;     ///< s, summed over threads: neuron updates
  double exchange = 0;   ///< s wall: merging spikes between windows
  double record = 0;     ///< s wall: spike logging and state sampling
  double run = 0;        ///< s wall, whole run
  /// s, deliver + update of each of this rank's threads (its groups of
  /// partitions): the load balance of the partition plan
  std::vector<double> thread_busy;
};

struct population_info {
  std::string name, model;
  std::uint32_t first = 0, size = 0;
};

class simulation {
 public:
  /// `spec` must be valid (load_model_file validates; API users call check()).
  explicit simulation(network_spec spec);
  ~simulation();
  simulation(const simulation&) = delete;
  simulation& operator=(const simulation&) = delete;

  /// Builds populations, synapses and partitions (run() calls it if needed).
  void build();
  /// Advances by `duration_ms` (a multiple of h). `progress` gets the fraction done.
  void run(double duration_ms, const std::function<void(double)>& progress = {});

  const network_spec& spec() const { return spec_; }
  double resolution() const { return spec_.sim.resolution; }
  step_t current_step() const { return now_; }
  double time() const { return double(now_) * spec_.sim.resolution; }
  step_t min_delay() const { return d_min_; }

  std::uint64_t neurons() const { return total_nodes_; }
  /// Totals over all ranks (computed collectively in build() and run()).
  std::uint64_t synapses() const { return totals_.synapses; }
  std::size_t synapse_bytes() const { return totals_.synapse_bytes; }
  std::uint64_t plastic_synapses() const { return totals_.plastic_synapses; }
  /// Bytes held by plastic projections: store, weights, traces, post archives (at build).
  std::size_t plastic_bytes() const { return totals_.plastic_bytes; }
  std::uint64_t synaptic_events() const { return totals_.events; }
  /// Partitions over all ranks.
  std::size_t partition_count() const { return partition_count_; }
  const communicator& comm() const { return comm_; }
  const std::vector<population_info>& populations() const { return pop_info_; }
  /// Population i's runtime state (after build): its SoA arrays never move.
  population_dynamics& dynamics(std::size_t i) { return *pops_.at(i); }

  const std::vector<spike_log>& spikes() const { return spike_logs_; }
  const std::vector<state_log>& states() const { return state_logs_; }
  const std::vector<weight_log>& weight_logs() const { return weight_logs_; }
  /// The current weights of a plastic projection (by name), in the layout-
  /// independent order of weight_table. Under MPI a collective call: every
  /// rank must make it, and every rank gets the whole table.
  weight_table weights(const std::string& projection) const;
  /// Weights of every plastic projection, in file order (collective under MPI).
  std::vector<weight_table> plastic_weights() const;
  const phase_report& phases() const { return phases_; }

  /// Checkpoints: saves or restores (io.loading()) everything that changes
  /// while running: time, neuron state, plastic weights and rule state, the
  /// spikes whose events are still queued, and what the recorders hold.
  /// Between runs only; builds the network first. The static synapses are not
  /// saved: the seed rebuilds them. Restoring needs the same network and the
  /// same partitions (set_layout_groups with the saved layout_groups()).
  void serialize(state_io& io);
  /// Thread groups the automatic partition plan was cut into (0 with an
  /// explicit simulation.partitions); a restored run must use the same cut.
  std::size_t layout_groups() const;
  /// Before build(): cut the automatic plan into `groups` groups, whatever the
  /// thread count (the threads then share the groups).
  void set_layout_groups(std::size_t groups);

 private:
  void attach_probes(step_t end_step);
  /// After a run's last window: the partitions' kept spikes into the spike logs.
  void log_kept_spikes(int threads);
  /// Where each synapse of a weight_table lives (partition, plastic block, index).
  struct synapse_slot {
    std::size_t partition, block;
    std::uint32_t index;
  };
  weight_table collect_weights(std::size_t projection, const std::vector<std::uint32_t>* targets,
                               std::vector<synapse_slot>* slots) const;
  void set_initial_state();

  struct totals {
    std::uint64_t synapses = 0, events = 0, plastic_synapses = 0;
    std::size_t synapse_bytes = 0, plastic_bytes = 0;
  };

  network_spec spec_;
  communicator comm_;
  totals totals_;
  std::size_t partition_count_ = 0;
  bool built_ = false;
  std::vector<std::unique_ptr<population_dynamics>> pops_;
  std::vector<population_info> pop_info_;
  std::vector<std::unique_ptr<stimulus>> stimuli_;
  std::vector<std::unique_ptr<partition>> partitions_;   // the partitions this rank owns, by group
  std::vector<std::size_t> group_begin_;                 // group g: partitions_[group_begin_[g] .. group_begin_[g+1])
  std::vector<std::size_t> group_of_;                    // plan group number of each owned group
  std::vector<spike> pending_;   // spikes of the last window, not yet queued
  std::deque<std::vector<spike>> recent_;   // queued windows' spikes whose events may not have arrived yet
  std::size_t layout_groups_ = 0;
  std::vector<spike_log> spike_logs_;
  std::vector<state_log> state_logs_;
  std::vector<weight_log> weight_logs_;
  std::vector<std::vector<synapse_slot>> weight_slots_;   // per weight log
  std::vector<std::pair<std::size_t, std::uint32_t>> watch_targets_;   // on_change watch id -> (log, synapse)
  void collect_changes();
  std::uint64_t total_nodes_ = 0;
  step_t now_ = 0;
  step_t d_min_ = 1, d_max_ = 1, window_ = 1;
  phase_report phases_;
};

}  // namespace apical
