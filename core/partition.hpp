#pragma once
// A partition: a contiguous range of one population's neurons, the synapses that
// end on them, and their own event queue. One thread at a time owns a
// partition for a whole window, so nothing in here is locked.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/event_queue.hpp"
#include "core/phase_clock.hpp"
#include "core/population.hpp"
#include "core/spike_list.hpp"
#include "core/synapse_store.hpp"
#include "plasticity/plastic_synapses.hpp"

namespace apical {

class stimulus;

/// Copies sampled state of some of this partition's neurons into a recorder.
struct state_probe {
  const double* source;        ///< the population's SoA array
  std::uint32_t neuron;        ///< population-local index
  double* dest;                ///< first sample's slot in the recorder buffer
  std::size_t stride;          ///< doubles between successive samples
  step_t interval;             ///< steps between samples; sample m is taken at step (m+1)*interval
  std::size_t max_rows;        ///< rows the buffer holds
};

/// Seconds spent per phase, summed over the partitions a thread ran.
struct phase_times {
  double deliver = 0, update = 0;
};

class partition {
 public:
  partition(population_dynamics* pop, std::uint32_t global_first, std::uint32_t begin, std::uint32_t end);

  population_dynamics& population() const { return *pop_; }
  std::uint32_t begin() const { return begin_; }
  std::uint32_t end() const { return end_; }
  std::uint32_t global_first() const { return global_first_; }
  std::size_t neurons() const { return end_ - begin_; }

  void set_synapses(synapse_store&& s) { store_ = std::move(s); }
  const synapse_store& synapses() const { return store_; }
  /// A plastic projection's synapses onto this partition (after set_synapses).
  void add_plastic(std::unique_ptr<plastic_synapses> s);
  const std::vector<std::unique_ptr<plastic_synapses>>& plastic() const { return plastic_; }
  std::vector<std::unique_ptr<plastic_synapses>>& plastic() { return plastic_; }
  void add_stimulus(stimulus* s);
  void add_probe(const state_probe& p) { probes_.push_back(p); }
  void clear_probes() { probes_.clear(); }

  /// Sizes the queue for events up to `horizon` steps ahead.
  void prepare(step_t horizon);
  /// Pull: queues one entry per delay group of every spike whose source has
  /// synapses here. `spikes` is sorted by (time, source).
  void enqueue(std::span<const spike> spikes);
  /// Restoring a checkpoint: queues again the entries of spikes that were
  /// enqueued before it and arrive at or after step `from` (no modulator calls:
  /// the plastic blocks' restored state holds them).
  void requeue(std::span<const spike> spikes, step_t from) { push_events(spikes, from); }
  /// Saves or restores the event count and the plastic blocks' state (the queue
  /// is rebuilt with requeue).
  void serialize(state_io& io);
  /// Delivers the events of step k, then advances the neurons through it.
  void advance(step_t k, double h);
  /// Samples the probes due at the boundary `t_next` (= the step just finished + 1).
  void sample(step_t t_next);

  std::vector<spike>& outbox() { return outbox_; }
  /// Spike recording: when kept, the partition copies its outbox into a list of
  /// its own at the end of each window (on its own thread, so the copy runs in
  /// parallel); the run joins the lists into the population's spike log after
  /// its last window. Spikes are counted whether kept or not.
  void set_keep_spikes(bool keep) { keep_spikes_ = keep; }
  void keep_spikes() {
    emitted_ += outbox_.size();
    if (keep_spikes_) kept_.append(outbox_);
  }
  /// Spikes kept since the last take_kept(), sorted by step.
  const spike_list& kept() const { return kept_; }
  /// Spikes emitted since the last take_kept(), kept or not.
  std::uint64_t emitted() const { return emitted_; }
  /// Empties the kept list and the count (their contents are in the logs).
  void take_kept() {
    kept_.clear();
    emitted_ = 0;
  }
  std::uint64_t synaptic_events() const { return events_; }
  /// Seconds per phase up to the last settle_times().
  const phase_times& times() const { return times_; }
  /// Adds the clock ticks counted since the last settle_times() to times(), at the
  /// given seconds per tick (measured over the run: core/phase_clock.hpp).
  void settle_times(double seconds_per_tick);

 private:
  void push_events(std::span<const spike> spikes, step_t from);

  population_dynamics* pop_;
  std::uint32_t global_first_, begin_, end_;
  bool precise_;
  bool time_order_ = false;   // a plastic block needs each step's spikes in time order (wants_time_order)
  int receptors_;
  synapse_store store_;
  // plastic projections; queue entries number their groups after the static
  // store's: block b owns [plastic_base_[b], plastic_base_[b + 1])
  std::vector<std::unique_ptr<plastic_synapses>> plastic_;
  std::vector<std::uint32_t> plastic_base_;
  calendar_queue queue_;
  std::vector<double> acc_;          // receptors x neurons, for receptors without a direct input array
  double* in_[max_receptors] = {};   // where receptor r's input goes: the model's array or acc_
  std::vector<double> current_;      // neurons, when a current stimulus is attached
  std::vector<offgrid_event> offgrid_;
  std::vector<stimulus*> stimuli_;
  std::vector<state_probe> probes_;
  std::vector<spike> outbox_;
  spike_list kept_;   // this run's spikes, when recorded
  std::uint64_t emitted_ = 0;
  bool keep_spikes_ = false;
  std::vector<std::uint8_t> scratch_;   // per-neuron flags for the model's update
  std::vector<double> work_;            // per-neuron doubles for stimuli and sources
  std::uint64_t events_ = 0;
  phase_times times_;
  phase_clock::ticks deliver_ticks_ = 0, update_ticks_ = 0;   // not yet in times_
  // End of the last timed phase: enqueue starts the window's delivery, and its
  // steps follow each other, so each step reads the clock twice (the clock took
  // 5-9% of a CUBA run; bench/RESULTS.md). State sampling between steps counts
  // as delivery.
  phase_clock::ticks mark_ = 0;
};

}  // namespace apical
