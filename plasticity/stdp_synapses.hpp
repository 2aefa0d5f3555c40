#pragma once
// The runtime of one STDP projection inside one partition: on top of
// plastic_synapses (a target index and a double weight per synapse, 12 bytes
// instead of the static record's 8 plus 8), the presynaptic traces per delay
// group (one source, one delay: the pre trace is the same for all its
// synapses), and the postsynaptic archive of the partition's neurons; or, with
// potentiation at post spikes, stdp_at_post's sums and target-major index
// (4 bytes a synapse, and the targets narrowed to 2). Everything here belongs
// to one partition, so every update is race-free, and each weight depends only
// on its own pre and post spike trains: results do not depend on threads or
// partitioning.
#include <cstdint>
#include <map>
#include <span>
#include <utility>
#include <vector>

#include "core/population.hpp"
#include "core/synapse_store.hpp"
#include "plasticity/grid_decay.hpp"
#include "plasticity/plastic_synapses.hpp"
#include "plasticity/post_archive.hpp"
#include "plasticity/stdp_at_post.hpp"
#include "plasticity/stdp.hpp"

namespace apical {

/// Whether NEST-order STDP brings long-silent groups up to date (see
/// stdp_synapses::catch_up). Tests turn it off to compare; nothing else changes it.
inline bool stdp_catch_up_enabled = true;

class stdp_synapses final : public plastic_synapses {
 public:
  /// `store`: this projection's synapses onto the partition's neurons
  /// (`neurons` of them); its float weights are the initial weights.
  /// `compact`: one synapse offset per source instead of row entries and
  /// delay groups where the rows allow (synapse_store::compact_rows); with
  /// potentiation at post spikes also 16-bit targets (where every target is
  /// below 65,536) and 2- or 4-byte index entries where they fit (stdp_at_post);
  /// false keeps the groups, 4-byte targets and 8-byte entries (tests: both
  /// layouts give the same bits).
  stdp_synapses(const plasticity_params& rule, std::uint32_t projection, synapse_store&& store, std::size_t neurons, double h,
                bool compact = true);

  std::uint32_t deliver(std::uint32_t g, step_t k, double offset, double* const* in, std::vector<offgrid_event>* offgrid) override;
  void prefetch_rows(std::uint32_t g) const override {
    plastic_synapses::prefetch_rows(g);
    if (!pre_.empty()) __builtin_prefetch(&pre_[g]);
  }
  /// Potentiation at post spikes with spikes off the grid (stdp_at_post.hpp).
  bool wants_time_order() const override { return rule_.potentiate_at_post && at_post_.off_grid(); }
  /// Records a post spike of local neuron n in `step` at `offset` (ms).
  void on_post(std::uint32_t n, step_t step, double offset) override {
    const double t = double(step) * h_ + offset;
    if (rule_.potentiate_at_post)
      at_post_.on_post(n, step, t);
    else
      archive_.add_spike(n, t);
  }
  /// The end of step k: with potentiation at post spikes, the potentiations
  /// due now; in NEST's order, every `catch_up_every` (ms) the catch-up of the
  /// groups that have read no post spike for `catch_up_after` (ms).
  void end_step(step_t k) override;
  static constexpr double catch_up_every = 1000.0, catch_up_after = 1000.0;

  /// Every pre and post spike of this block is on the h grid (neither the
  /// source nor the target population emits spikes between grid points:
  /// population_dynamics::spikes_on_grid): the trace
  /// decays between spikes come from a table (plasticity/grid_decay.hpp).
  void set_on_grid(bool on_grid);

  /// stdp_dopamine: global ids [first, end) of the modulator population
  /// (empty for the other rules).
  void set_modulator(std::uint32_t first, std::uint32_t end) { mod_first_ = first, mod_end_ = end; }
  bool modulated() const override { return mod_end_ > mod_first_; }
  bool modulated_by(std::uint32_t source) const override { return source >= mod_first_ && source < mod_end_; }
  /// A modulator spike in `step` at `offset` (ms; in time order, and before any
  /// pre spike whose update needs it: with a dendritic delay of at least one
  /// window, every pre spike delivered in a window reached the synapse before
  /// the window began; plasticity_params::check_modulated_delay).
  void on_modulator(step_t step, double offset) override;

  /// Bytes held: store, weights, group traces, archive.
  std::size_t bytes() const override;
  /// With potentiation at post spikes: the bytes of a synapse's target-major
  /// index entry (stdp_at_post::entry_bytes).
  std::size_t index_entry_bytes() const { return at_post_.entry_bytes(); }
  /// Groups whose caught-up weights wait for their next pre spike.
  std::size_t caught_groups() const { return caught_.size(); }
  void serialize(state_io& io) override {
    plastic_synapses::serialize(io);
    io.fields(pre_, c_, mod_, mod_head_, mod_prune_at_);
    serialize_caught(io);
    archive_.serialize(io);
    at_post_.serialize(io);
  }

 private:
  struct pre_trace {
    double t_last = -1e300;   // ms, post frame (t_pre + d - 2 d_den)
    double r1 = 0.0, r2 = 0.0;
  };
  /// A caught-up group (catch_up) until its next pre spike.
  struct caught_group {
    double t_read;           // ms, post frame: the post spikes up to here have potentiated
                             // the group's synapses and been counted read
    std::vector<double> w;   // its weights so potentiated (empty for a group that never fired)
  };
  struct modulator_spike {
    double t;   // ms, at the synapse
    double n;   // concentration just after it, 1/ms
  };
  /// `caught`: group g is caught up (catch_up; is_caught_).
  template <bool caught, class Update>
  std::uint32_t deliver_as(const Update& u, std::uint32_t g, step_t k, double offset, double* const* in,
                           std::vector<offgrid_event>* offgrid);
  /// `off_grid`: spikes between grid points (stdp_at_post::before_pre).
  template <bool off_grid, class Update, class Target>
  std::uint32_t deliver_at_post(const Update& u, const Target* target, std::uint32_t g, step_t k, double offset,
                                double* const* in, std::vector<offgrid_event>* offgrid);
  /// stdp_at_post's potentiation callback for rule u, logging the changes
  /// when `log`: synapse by synapse; for the power law block by block, eight
  /// synapses through the rule at once.
  template <bool log, class Update>
  auto at_post_potentiation(const Update& u);
  std::uint32_t deliver_dopamine(std::uint32_t g, step_t k, double offset, double* const* in,
                                 std::vector<offgrid_event>* offgrid);
  /// Bytes of the caught-up groups' held weights.
  std::size_t caught_bytes() const {
    std::size_t b = 0;
    for (const auto& [g, c] : caught_) b += sizeof(c) + c.w.capacity() * sizeof(double);
    return b;
  }
  /// Saves or restores the caught-up groups.
  void serialize_caught(state_io& io);
  /// Drops modulator spikes that no future update reads.
  void prune_modulator();
  /// Brings group g's synapses up to t (ms, post frame, before any pre spike
  /// of the group still to come): each takes the potentiations by its target's
  /// post spikes in (t_read, t], as its next pre spike would, and counts them read.
  template <class Update>
  void catch_up(const Update& u, std::uint32_t g, double t);

  plasticity_params rule_;
  grid_decay decay_plus_, decay_minus_;   // exp(-dt / tau_plus), exp(-dt / tau_minus)
  std::vector<pre_trace> pre_;   // empty with potentiation at post spikes
  post_archive archive_;
  stdp_at_post at_post_;   // rule_.potentiate_at_post only; then the archive holds nothing
  std::vector<std::uint32_t> rest_;   // a group's synapses left for the full update (quiet pass; not at post spikes)
  std::vector<double> held_;          // power law: a block's potentiations held back for the vector rounds
  // caught-up groups, with their weights potentiated since their last pre
  // spike (w_ keeps NEST's view until that group's next pre spike), by group
  // (ordered: checkpoints); is_caught_ flags them, a byte a group, so that a
  // delivery looks them up only then and pre_trace keeps its 24 bytes
  std::map<std::uint32_t, caught_group> caught_;
  std::vector<std::uint8_t> is_caught_;
  // stdp_dopamine only: eligibility per synapse, modulator spikes [mod_head_, end)
  std::vector<double> c_;
  std::vector<modulator_spike> mod_;
  std::size_t mod_head_ = 0, mod_prune_at_ = 64;
  std::uint32_t mod_first_ = 0, mod_end_ = 0;
};

}  // namespace apical
