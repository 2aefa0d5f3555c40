#pragma once
// Synapses that end on one partition's neurons, in compressed rows by source
// (as Auryn's CSR, per target partition as NEST's): for each global source id,
// its delay groups; each group is a run of synapses sorted by target with one
// delay and one receptor. A static synapse costs 8 bytes (uint32 local target,
// float weight); the delay is stored once per group, not per synapse.
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
  std::uint16_t receptor;
};

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

  std::span<const delay_group> row(std::uint32_t source) const {
    if (row_.empty()) return {};
    return {groups_.data() + row_[source], groups_.data() + row_[source + 1]};
  }
  /// Prefetch hints for a spike of `source` soon to be pushed: its row index
  /// entry (stage 0), then its first delay group (stage 1, after stage 0).
  void prefetch_row_index(std::uint32_t source) const {
    if (!row_.empty()) __builtin_prefetch(&row_[source]);
  }
  void prefetch_row(std::uint32_t source) const {
    if (!row_.empty()) __builtin_prefetch(groups_.data() + row_[source]);
  }
  const delay_group& group(std::uint32_t g) const { return groups_[g]; }
  std::uint32_t group_count() const { return static_cast<std::uint32_t>(groups_.size()); }
  std::uint32_t group_index(const delay_group& g) const { return static_cast<std::uint32_t>(&g - groups_.data()); }
  std::span<const synapse> synapses() const { return syn_; }
  std::span<synapse> synapses() { return syn_; }
  std::size_t size() const { return syn_.empty() ? released_ : syn_.size(); }
  /// Hands the synapse records over and frees them, keeping rows and groups:
  /// plastic stores keep their own targets and double weights, and the 8-byte
  /// records would be dead weight (bench/RESULTS.md, plastic memory).
  std::vector<synapse> release_synapses() {
    released_ = syn_.size();
    return std::exchange(syn_, {});
  }
  std::uint16_t max_delay() const { return max_delay_; }
  /// Bytes held: synapses, groups and row index.
  std::size_t bytes() const;

 private:
  std::vector<std::uint32_t> row_;   // n_sources + 1 offsets into groups_
  std::vector<delay_group> groups_;
  std::vector<synapse> syn_;
  std::size_t released_ = 0;   // synapses handed over by release_synapses()
  std::uint16_t max_delay_ = 0;
};

}  // namespace apical
