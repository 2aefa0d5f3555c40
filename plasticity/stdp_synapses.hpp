#pragma once
// The runtime of one plastic (STDP) projection inside one partition: its
// synapses in compressed rows (the static store's rows and delay groups), a
// target index and a double weight per synapse (12 bytes instead of the static
// record's 8 plus 8), the presynaptic traces per delay group (one source, one delay: the
// pre trace is the same for all its synapses), and the postsynaptic archive of
// the partition's neurons. Everything here belongs to one partition, so every
// update is race-free, and each weight depends only on its own pre and post
// spike trains: results do not depend on threads or partitioning.
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "core/population.hpp"
#include "core/synapse_store.hpp"
#include "plasticity/post_archive.hpp"
#include "plasticity/stdp.hpp"

namespace apical {

class stdp_synapses {
 public:
  /// `store`: this projection's synapses onto the partition's neurons
  /// (`neurons` of them); its float weights are the initial weights.
  stdp_synapses(const stdp_params& rule, std::uint32_t projection, synapse_store&& store, std::size_t neurons, double h);

  std::uint32_t projection() const { return projection_; }
  const synapse_store& store() const { return store_; }
  std::span<const double> weights() const { return w_; }
  /// Partition-local target of each synapse, in store order.
  std::span<const std::uint32_t> targets() const { return target_; }

  /// A pre spike reaches group g in step k (offset inside the step's spike
  /// time, ms): updates the group's synapses and adds their new weights to
  /// in[receptor][target], or, for off-grid events onto a precise population,
  /// appends them to `offgrid`. Returns the number of synapses.
  std::uint32_t deliver(std::uint32_t g, step_t k, double offset, double* const* in, std::vector<offgrid_event>* offgrid);

  /// Records a post spike of local neuron n at t (ms).
  void on_post(std::uint32_t n, double t) { archive_.add_spike(n, t); }

  /// stdp_dopamine: global ids [first, end) of the modulator population
  /// (empty for the other rules).
  void set_modulator(std::uint32_t first, std::uint32_t end) { mod_first_ = first, mod_end_ = end; }
  bool modulated() const { return mod_end_ > mod_first_; }
  bool modulated_by(std::uint32_t source) const { return source >= mod_first_ && source < mod_end_; }
  /// A modulator spike in `step` at `offset` (ms; in time order, and before any
  /// pre spike whose update needs it: with a dendritic delay of at least one
  /// window, every pre spike delivered in a window reached the synapse before
  /// the window began; stdp_params::check_modulated_delay).
  void on_modulator(step_t step, double offset);

  /// A weight change of a watched synapse (on_change weight recorders).
  struct weight_change {
    double t;                 ///< ms, delivery time of the pre spike
    std::uint32_t watch_id;   ///< the id given to watch()
    double w;                 ///< the new weight
  };
  /// Records every change of synapse j (store order) under `watch_id`.
  void watch(std::uint32_t j, std::uint32_t watch_id);
  bool watched(std::uint32_t j) const { return !watch_.empty() && watch_[j] != unwatched; }
  /// Changes since the last take, in delivery order.
  std::vector<weight_change> take_changes() { return std::exchange(changes_, {}); }

  /// Bytes held: store, weights, group traces, archive.
  std::size_t bytes() const;

 private:
  struct pre_trace {
    double t_last = -1e300;   // ms, post frame (t_pre + d - 2 d_den)
    double r1 = 0.0, r2 = 0.0;
  };
  struct modulator_spike {
    double t;   // ms, at the synapse
    double n;   // concentration just after it, 1/ms
  };
  std::uint32_t deliver_dopamine(std::uint32_t g, step_t k, double offset, double* const* in,
                                 std::vector<offgrid_event>* offgrid);
  /// Drops modulator spikes that no future update reads.
  void prune_modulator();

  stdp_params rule_;
  std::uint32_t projection_;
  synapse_store store_;   // rows and delay groups; the records are released into target_ and w_
  std::vector<std::uint32_t> target_;
  std::vector<double> w_;
  std::vector<pre_trace> pre_;
  post_archive archive_;
  double h_;
  // stdp_dopamine only: eligibility per synapse, modulator spikes [mod_head_, end)
  std::vector<double> c_;
  std::vector<modulator_spike> mod_;
  std::size_t mod_head_ = 0, mod_prune_at_ = 64;
  std::uint32_t mod_first_ = 0, mod_end_ = 0;
  // on_change recording: watch id per synapse (empty when nothing is watched)
  static constexpr std::uint32_t unwatched = ~std::uint32_t{0};
  std::vector<std::uint32_t> watch_;
  std::vector<weight_change> changes_;
  void log_change(std::uint32_t j, step_t k, double offset, double w) {
    if (watched(j)) changes_.push_back({double(k) * h_ + offset, watch_[j], w});
  }
  /// Stores synapse j's new weight, logs it if watched, and sends it to target
  /// n (into `dest`, or as an off-grid event).
  void transmit(std::uint32_t j, std::uint32_t n, double w, step_t k, double offset, std::uint32_t receptor, double* dest,
                std::vector<offgrid_event>* offgrid);
};

}  // namespace apical
