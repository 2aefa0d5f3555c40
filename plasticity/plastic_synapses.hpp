#pragma once
// The runtime of one plastic projection inside one partition, whatever its
// rule: the synapses in compressed rows (the static store's rows and delay
// groups, whose records are released into a target index and a double weight
// per synapse), and what every rule shares: transmitting the updated weight and
// logging the changes of watched synapses. A rule (stdp_synapses,
// urbanczik_synapses) adds its own state and is called once per delivered
// delay group and once per step, never once per synapse through a virtual
// call. Everything here belongs to one partition, so every update is
// race-free.
#include <algorithm>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "core/population.hpp"
#include "core/synapse_store.hpp"

namespace apical {

class plastic_synapses {
 public:
  /// `store`: this projection's synapses onto the partition's neurons; its
  /// float weights are the initial weights.
  plastic_synapses(std::uint32_t projection, synapse_store&& store, double h);
  virtual ~plastic_synapses() = default;

  std::uint32_t projection() const { return projection_; }
  const synapse_store& store() const { return store_; }
  std::span<const double> weights() const { return w_; }
  /// Partition-local target of synapse j (store order).
  std::uint32_t target(std::uint32_t j) const { return target_.empty() ? target16_[j] : target_[j]; }
  /// Whether the targets are held in 16 bits (narrow_targets).
  bool narrow() const { return target_.empty() && !target16_.empty(); }

  /// A pre spike reaches group g in step k (offset inside the step's spike
  /// time, ms): updates the group's synapses and adds their new weights to
  /// in[receptor][target], or, for off-grid events onto a precise population,
  /// appends them to `offgrid`. Returns the number of synapses.
  virtual std::uint32_t deliver(std::uint32_t g, step_t k, double offset, double* const* in,
                                std::vector<offgrid_event>* offgrid) = 0;
  /// Ask the cache for group g's header, then (once that has arrived) for the
  /// first synapses of its rows: partition::advance calls these a few queue
  /// entries ahead, as it does for static rows, so that the misses overlap.
  void prefetch_group(std::uint32_t g) const { store_.prefetch_group(g); }
  /// Up to 64 synapses (a row's 4 lines of targets and 8 of weights): the
  /// hardware prefetcher takes a few demand misses to follow a stream, which
  /// every row would pay (with the first lines only, plastic COBA's delivery
  /// took 8% longer: bench/RESULTS.md).
  virtual void prefetch_rows(std::uint32_t g) const {
    const delay_group grp = store_.group(g);
    const std::uint32_t end = std::min(grp.end, grp.begin + 64);
    if (narrow())
      for (std::uint32_t j = grp.begin; j < end; j += 32) __builtin_prefetch(target16_.data() + j);
    else
      for (std::uint32_t j = grp.begin; j < end; j += 16) __builtin_prefetch(target_.data() + j);
    for (std::uint32_t j = grp.begin; j < end; j += 8) __builtin_prefetch(w_.data() + j);
  }
  /// Whether a step's pre spikes must come in time order (the partition then
  /// sorts each step's deliveries by offset, as it does for precise targets).
  virtual bool wants_time_order() const { return false; }
  /// A post spike of local neuron n in `step` at `offset` (ms, within the
  /// step: at step h + offset), in step order.
  virtual void on_post(std::uint32_t n, step_t step, double offset) {}
  /// The partition's neurons have been advanced through step k (after on_post
  /// for that step's spikes).
  virtual void end_step(step_t k) {}

  /// Neuromodulated rules: whether spikes of global id `source` reach this block.
  virtual bool modulated() const { return false; }
  virtual bool modulated_by(std::uint32_t source) const { return false; }
  /// A modulator spike in `step` at `offset` (ms), in time order.
  virtual void on_modulator(step_t step, double offset) {}

  /// A weight change of a watched synapse (on_change weight recorders).
  struct weight_change {
    double t;                 ///< ms, delivery time of the pre spike
    std::uint32_t watch_id;   ///< the id given to watch()
    double w;                 ///< the new weight
  };
  /// Records every change of synapse j (store order) under `watch_id`.
  void watch(std::uint32_t j, std::uint32_t watch_id);
  bool watched(std::uint32_t j) const { return !watch_.empty() && watch_[j] != unwatched; }
  /// Whether any synapse is watched.
  bool watching() const { return !watch_.empty(); }
  /// Changes since the last take, in delivery order.
  std::vector<weight_change> take_changes() { return std::exchange(changes_, {}); }

  /// Bytes held: store, targets, weights and the rule's own state.
  virtual std::size_t bytes() const;
  /// Saves or restores the weights and the rule's state (checkpoints, between
  /// runs: no changes are pending then). Overrides call this first.
  virtual void serialize(state_io& io) { io.field(w_); }

 protected:
  /// Number of synapses onto each of `neurons` local neurons.
  std::vector<std::uint32_t> in_degrees(std::size_t neurons) const;
  /// Holds the targets in 16 bits from now on (2 bytes a synapse instead of
  /// 4) when every target is below 65,536; returns whether it did. Only rules
  /// whose loops read target16_ call this.
  bool narrow_targets();
  /// Stores synapse j's new weight and, for a group delivered on the grid
  /// (`dest` not null), adds it to target n's input (dest[n]).
  void put(std::uint32_t j, std::uint32_t n, double w, double* dest) {
    w_[j] = w;
    if (dest) dest[n] += w;
  }
  /// After the new weights of group `grp` are put: sends them as off-grid
  /// events (when `offgrid`) and logs the changes of watched synapses. Kept out
  /// of the loop over the synapses, whose body then calls nothing and keeps its
  /// pointers in registers (bench/RESULTS.md).
  void sent(const delay_group& grp, step_t k, double offset, std::vector<offgrid_event>* offgrid);
  /// Logs synapse j's weight as changed at t (ms) if it is watched (changes
  /// made outside a group's delivery: potentiation at post spikes).
  void log_change(std::uint32_t j, double t) {
    if (!watch_.empty() && watch_[j] != unwatched) changes_.push_back({t, watch_[j], w_[j]});
  }

  std::uint32_t projection_;
  synapse_store store_;   // rows and delay groups; the records are released into target_ and w_
  std::vector<std::uint32_t> target_;     // per synapse; empty once narrowed
  std::vector<std::uint16_t> target16_;   // per synapse once narrowed (narrow_targets)
  std::vector<double> w_;
  double h_;

 private:
  static constexpr std::uint32_t unwatched = ~std::uint32_t{0};
  std::vector<std::uint32_t> watch_;   // watch id per synapse (empty when nothing is watched)
  std::vector<weight_change> changes_;
};

}  // namespace apical
