#pragma once
// Synapses that end on one partition's neurons, in compressed rows by source
// (as Auryn's CSR, per target partition as NEST's): for each global source id,
// its delay groups; each group is a run of synapses sorted by target with one
// delay and one receptor. The delay is stored once per group, not per synapse,
// and so is the weight when all the group's synapses share it (NEST's
// static_synapse_hom_w): a static synapse then costs 4 bytes (uint32 local
// target), otherwise 8 (and a float weight). Delivery reads half the bytes for
// such rows: Brunel's delivery on one thread went from 1.19-1.31 s to 0.77-0.86 s
// per simulated second (bench/RESULTS.md, "Rows of targets").
#include <bit>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace apical {

struct synapse {
  std::uint32_t target;   ///< partition-local neuron index
  float weight;
};
static_assert(sizeof(synapse) == 8);

struct delay_group {
  std::uint32_t begin, end;   ///< synapse range
  std::uint16_t delay;        ///< steps, >= 1
  std::uint8_t receptor;
  bool uniform;               ///< all synapses have one weight, held here
  std::uint32_t weight_slot;  ///< uniform: the weight's bits; else where the weights start in the store's weight array

  float uniform_weight() const { return std::bit_cast<float>(weight_slot); }
};
static_assert(sizeof(delay_group) == 16);

class synapse_store {
 public:
  struct entry {
    std::uint32_t source;   ///< global id
    std::uint32_t target;   ///< partition-local
    float weight;
    std::uint16_t delay;    ///< steps
    std::uint16_t receptor;
  };

  /// Builds the rows from entries in generation order, grouped by (source,
  /// delay, receptor); within a group the generation order is kept (by target
  /// within a projection), so the layout does not depend on how the network was
  /// partitioned. Receptor must be < 4.
  static synapse_store build(std::vector<entry>&& entries, std::uint32_t n_sources);
  /// The same, reusing `entries` and `scratch` as buffers: both keep their
  /// capacity for the next block (fresh large allocations are page faults,
  /// a fifth of the construction time in this VM); `entries` is left empty.
  static synapse_store build(std::vector<entry>& entries, std::vector<entry>& scratch, std::uint32_t n_sources);

  /// Joins stores built for consecutive blocks of targets into one: row by
  /// row, groups with equal (delay, receptor) are concatenated in block order.
  /// Every target's synapses lie in one block, so each target sees its inputs
  /// in the same order as from a single build.
  static synapse_store merge(std::vector<synapse_store>&& blocks, std::uint32_t n_sources);

  /// The delay groups of `source`'s row: group indices [first, second).
  std::pair<std::uint32_t, std::uint32_t> row(std::uint32_t source) const {
    if (compact_) {
      const std::uint32_t g = source - first_;   // wraps for source < first_
      return g < span_ && row_[g] < row_[g + 1] ? std::pair{g, g + 1} : std::pair{0u, 0u};
    }
    if (row_.empty()) return {0, 0};
    return {row_[source], row_[source + 1]};
  }
  /// Prefetch hints for a spike of `source` soon to be pushed: its row index
  /// entry (stage 0), then its first delay group (stage 1, after stage 0).
  void prefetch_row_index(std::uint32_t source) const {
    if (compact_) {
      if (source - first_ < span_) __builtin_prefetch(&row_[source - first_]);
    } else if (!row_.empty()) {
      __builtin_prefetch(&row_[source]);
    }
  }
  void prefetch_row(std::uint32_t source) const {
    if (!compact_ && !row_.empty()) __builtin_prefetch(groups_.data() + row_[source]);
  }
  /// Group g's header (where a delivery finds the group's synapses).
  void prefetch_group(std::uint32_t g) const { __builtin_prefetch(compact_ ? static_cast<const void*>(&row_[g]) : &groups_[g]); }
  delay_group group(std::uint32_t g) const {
    return compact_ ? delay_group{row_[g], row_[g + 1], delay_, receptor_, false, 0} : groups_[g];
  }
  /// Synapse j's target (partition-local).
  std::span<const std::uint32_t> targets() const { return target_; }
  /// The weight of synapse j of group g.
  float weight(const delay_group& g, std::uint32_t j) const {
    return g.uniform ? g.uniform_weight() : weight_[g.weight_slot + (j - g.begin)];
  }
  /// The weights of a non-uniform group, in synapse order.
  const float* weights(const delay_group& g) const { return weight_.data() + g.weight_slot; }
  std::uint32_t group_count() const { return compact_ ? span_ : static_cast<std::uint32_t>(groups_.size()); }
  /// Compact rows only (compact_rows): group_count() + 1 synapse offsets, group
  /// g's synapses at [offsets[g], offsets[g + 1]); empty for delay groups.
  std::span<const std::uint32_t> compact_offsets() const {
    return compact_ ? std::span<const std::uint32_t>(row_) : std::span<const std::uint32_t>();
  }
  std::size_t size() const { return target_.empty() ? released_ : target_.size(); }
  /// Hands the synapses over and frees them, keeping rows and groups: plastic
  /// stores keep their own targets and double weights, and the store's copies
  /// would be dead weight (bench/RESULTS.md, plastic memory).
  std::vector<synapse> release_synapses();
  /// After release_synapses, where every source has at most one group and all
  /// groups share one delay and receptor (a plastic projection with a single
  /// delay, as COBA's and Brunel's): drops the group headers and keeps one
  /// synapse offset per source of the range that has any, so group g is
  /// source first + g. A plastic synapse's share of its partition's rows goes
  /// from 20 bytes per source (a 4-byte row entry and a 16-byte group) to 4,
  /// which on 8 and 16 threads (partitions) is a byte or more per synapse
  /// (bench/RESULTS.md). Returns whether it did; group numbers change, so it is
  /// called before anything is keyed by them.
  bool compact_rows();
  std::uint16_t max_delay() const { return max_delay_; }
  /// Bytes held: synapses, groups and row index.
  std::size_t bytes() const;

 private:
  // n_sources + 1 offsets into groups_; compact: span_ + 1 offsets into the
  // synapses, source first_ + g's at [row_[g], row_[g + 1])
  std::vector<std::uint32_t> row_;
  std::vector<delay_group> groups_;
  std::vector<std::uint32_t> target_;   // per synapse
  std::vector<float> weight_;           // per synapse of the non-uniform groups, group by group
  std::size_t released_ = 0;   // synapses handed over by release_synapses()
  /// Closes group g over target_[g.begin, end) with these weights: uniform
  /// when all are bit-equal, else appended to weight_.
  void close_group(delay_group& g, std::span<const float> weights);
  std::uint16_t max_delay_ = 0;
  bool compact_ = false;
  std::uint32_t first_ = 0, span_ = 0;   // compact: the sources [first_, first_ + span_)
  std::uint16_t delay_ = 0;              // compact: every group's delay and receptor
  std::uint8_t receptor_ = 0;
};

}  // namespace apical
