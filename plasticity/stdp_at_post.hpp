#pragma once
// Pair STDP with potentiation at each post spike, all-to-all (Brian2's order
// of updates; Song, Miller & Abbott 2000): a pre spike depresses its synapses
// by their targets' post traces, a post spike potentiates the neuron's
// incoming synapses by their sources' pre traces, through a target-major
// index of the synapses. No post spike history is kept or searched: on plastic
// COBA this took the plastic part of a simulated second from ~0.045 s to
// ~0.012 s (bench/RESULTS.md, 2026-12-03). The default order, NEST's
// (potentiation at a synapse's next pre spike), stays in stdp_synapses.
//
// Traces, as sums scaled to an epoch T0 (ms, post frame):
//   X_g = sum over group g's pre spikes t_i of exp((t_i - T0) / tau_plus),
//   Y_n = sum over neuron n's post spikes s of exp((s - T0) / tau_minus),
// so that x_g(t) = X_g exp(-(t - T0) / tau_plus): one exp per spike and per
// group delivery, none per synapse. Every `rebase_steps` steps the epoch moves
// to the step's end and every sum is scaled by exp(-shift / tau) (the global
// step decides: partitions and thread counts rebase alike), so the exponents
// stay below ~40 + 2 d_den h / tau and each trace is within a few ulps of its
// direct sum (tests/plasticity/stdp_exact_test.cpp: 1e-12 relative).
//
// Timing, in the post frame of stdp_synapses (a pre spike delivered in step k
// acts at t = (k - 2 d_den) h, a post spike of step m at m h; a pre and a post
// spike at the same time do not pair), every spike on the grid:
// - a post spike of step m potentiates by the pre spikes with t < m h, which
//   are those delivered up to step m + 2 d_den - 1: at the end of that step;
// - a pre spike delivered in step k is depressed by the post spikes with
//   m h < t, m <= k - 2 d_den - 1: a post spike enters Y at the end of step
//   m + 2 d_den.
// Each synapse's updates thus come in time order, as in the direct computation.
//
// Spikes between grid points (set_off_grid: a precise neuron model or spike
// times off the grid on either side): a post spike at s in step m is
// potentiated in step m + 2 d_den, whose pre spikes reach the synapse in
// [m h, (m + 1) h): before the first of them at t >= s (before_pre; the
// partition then delivers a step's spikes in time order), or at the step's
// end; it enters Y before the first pre spike at t > s, or at the step's end.
// Spikes on the grid give the same order as the rules above.
//
// Memory: an index entry is the synapse's delay group and the synapse, packed
// in 32 bits (g << shift | j) where both fit, and each group keeps only its
// pre sum: the weight's address then waits for no other load. Where they do
// not fit in 32 bits (plastic Brunel's 10 million synapses), the entry holds
// the group and the offset in it, and the group's first synapse sits beside
// its pre sum, read together (in two arrays the potentiations took 4% longer);
// where that does not fit either, the group and the synapse in 64 bits. With
// stdp_synapses' 16-bit targets and the double weight a plastic synapse takes
// 14 bytes before the per-group and per-neuron state: plastic COBA 14.6 bytes
// all-inclusive on one thread, where (synapse, group) pairs of 32-bit words and
// 32-bit targets had taken 21.02 (bench/RESULTS.md, 2026-12-03 and 2026-12-05).
// With compact rows (synapse_store::compact_rows) the group's first synapse is
// its row offset, already held: where the group and the widest group's offset
// fit 16 bits (a partition's few synapses per source, as plastic COBA's on 16
// threads: 12 + 4 bits), an entry takes 2 bytes and no per-group state is added.
// Plastic COBA on 16 threads: 16.99 bytes a synapse with 4-byte entries, 14.99
// with these (bench/RESULTS.md, 2026-12-05, fifth session).
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/state_io.hpp"
#include "core/synapse_store.hpp"
#include "core/time.hpp"

namespace apical {

class stdp_at_post {
 public:
  /// Synapses a block holds, for a `potentiate` that takes blocks (end_step).
  static constexpr std::uint32_t potentiation_block = 256;
  /// How index entries are laid out (the header's "Memory"): `automatic`, the
  /// first that fits of (group, offset) in 16 bits (compact rows only),
  /// (group, synapse) in 32 bits, (group, offset) in 32 bits and (group,
  /// synapse) in 64; `offset` and `wide` start the list further on (for tests).
  enum class layout { automatic, offset, wide };

  stdp_at_post() = default;
  // begins_ points into the store's offsets, which move with their vector;
  // a copy would point into the original's store
  stdp_at_post(const stdp_at_post&) = delete;
  stdp_at_post& operator=(const stdp_at_post&) = delete;
  stdp_at_post(stdp_at_post&&) = default;
  stdp_at_post& operator=(stdp_at_post&&) = default;
  /// `target(j)`: the partition-local target of synapse j of `store`'s groups;
  /// `in_degree`: the number of them onto each neuron (plastic_synapses::in_degrees);
  /// `dden`: the dendritic delay of every group (steps, >= 1); taus and h in ms.
  /// With (group, offset) entries in 16 bits the store's offsets are read at
  /// each potentiation: `store` must outlive this (or its next reset).
  template <class Target>
  void reset(Target&& target, const synapse_store& store, std::span<const std::uint32_t> in_degree, std::int64_t dden,
             double tau_plus, double tau_minus, double h, layout want = layout::automatic) {
    const std::size_t neurons = in_degree.size();
    dden_ = dden;
    tau_plus_ = tau_plus;
    tau_minus_ = tau_minus;
    h_ = h;
    rebase_steps_ = std::max<step_t>(1, static_cast<step_t>(40.0 * std::min(tau_plus, tau_minus) / h));
    col_.assign(neurons + 1, 0);
    for (std::size_t n = 0; n < neurons; ++n) col_[n + 1] = col_[n] + in_degree[n];
    const std::uint32_t groups = store.group_count();
    std::uint32_t widest = 0, ends = 0;
    for (std::uint32_t g = 0; g < groups; ++g) {
      widest = std::max(widest, store.group(g).end - store.group(g).begin);
      ends = std::max(ends, store.group(g).end);
    }
    const auto bits = [](std::uint32_t n) { return unsigned(std::bit_width(n > 0 ? n - 1 : 0u)); };
    index16_.clear();
    index32_.clear();
    index64_.clear();
    groups_.clear();
    X_.clear();
    // the first that fits (and `want` allows): (group, offset) in 16 bits, the
    // first synapses read from the compact rows; (group, synapse) in 32 bits,
    // (group, offset) in 32, (group, synapse) in 64
    const std::span<const std::uint32_t> begins = store.compact_offsets();
    const bool offset16 = want == layout::automatic && !begins.empty() && bits(groups) + bits(widest) <= 16;
    const bool direct32 = !offset16 && want == layout::automatic && bits(groups) + bits(ends) <= 32;
    const bool offset32 = want != layout::wide && bits(groups) + bits(widest) <= 32;
    begins_ = offset16 ? begins.data() : nullptr;
    direct_ = !offset16 && (direct32 || !offset32);
    shift_ = direct32 ? bits(ends) : offset32 ? bits(widest) : 32;
    if (!grouped()) {
      X_.assign(groups, 0.0);
    } else {
      groups_.resize(groups);
      for (std::uint32_t g = 0; g < groups; ++g) groups_[g] = {0.0, store.group(g).begin};
    }
    if (offset16)
      fill_index(index16_, target, store);
    else if (shift_ == 32)
      fill_index(index64_, target, store);
    else
      fill_index(index32_, target, store);
    Y_.assign(neurons, 0.0);
    pending_.clear();
    pot_head_ = y_head_ = 0;
    t0_ = 0.0;
  }

  /// A post spike of local neuron n in step m at s (ms; s = m h on the grid),
  /// in step order.
  void on_post(std::uint32_t n, step_t m, double s) { pending_.push_back({n, m, s}); }
  /// Whether spikes may fall between grid points (the header's last rule).
  void set_off_grid(bool off_grid) { off_grid_ = off_grid; }
  bool off_grid() const { return off_grid_; }

  /// The post traces Y (by neuron) and the factor e that turns them into
  /// y_n(t) = Y_n e for a pre spike at t (ms, post frame).
  const double* post_sums() const { return Y_.data(); }
  double minus_factor(double t) { return exp_pre_minus_(-(t - t0_) / tau_minus_); }
  /// Group g's pre spike at t (ms, post frame), after its depressions.
  void add_pre(std::uint32_t g, double t) { sum(g) += exp_pre_plus_((t - t0_) / tau_plus_); }

  /// The end of step k: calls potentiate(j, x, t_log) for each synapse j of
  /// each post spike due now (x its source's pre trace at the post spike;
  /// t_log = s + 2 d_den h, the time it reaches the synapse, ms), spike by
  /// spike in time order and each neuron's synapses in store order; then the
  /// post spikes due enter Y, and the epoch moves when its step comes. Or
  /// potentiate(js, xs, m, t_log) for blocks of m <= potentiation_block of a
  /// spike's synapses, in the same order: a spike's synapses are distinct, so
  /// a block's may be updated together. xs is 64-byte aligned and holds 0
  /// from m up to the next multiple of 8 (lanes of a last, partial vector).
  /// (Prefetching the scattered weights 16 synapses ahead made plastic COBA
  /// 5% slower: bench/RESULTS.md.)
  template <class F>
  [[gnu::always_inline]] inline void end_step(step_t k, F&& potentiate) {
    if (off_grid_) {
      // this step's post spikes in time order (the order of emission within a
      // step is the neurons'); then those of step k - 2 d_den still due
      auto step_begin = pending_.end();
      while (step_begin != pending_.begin() + std::ptrdiff_t(pot_head_) && std::prev(step_begin)->m == k) --step_begin;
      std::stable_sort(step_begin, pending_.end(), [](const post& a, const post& b) { return a.s < b.s; });
      take_due(k, 1e300, k, 1e300, potentiate);
    } else {
      // on the grid: the potentiations due at the end of step m + 2 d_den - 1,
      // the post traces at the end of step m + 2 d_den
      take_due(k + 1, 1e300, k, 1e300, potentiate);
    }
    // pot_head_ >= y_head_: the entries before y_head_ are done. With
    // 2 d_den steps in flight the list is seldom done whole; its done half is
    // dropped instead, else it grew by 16 bytes every post spike of the run
    // (plastic COBA: 0.9 MB a simulated second, first touches at ~10 us a page)
    if (y_head_ == pending_.size()) {
      pending_.clear();
      pot_head_ = y_head_ = 0;
    } else if (y_head_ >= 1024 && 2 * y_head_ >= pending_.size()) {
      pending_.erase(pending_.begin(), pending_.begin() + std::ptrdiff_t(y_head_));
      pot_head_ -= y_head_;
      y_head_ = 0;
    }
    if ((k + 1) % rebase_steps_ == 0) {
      const double t1 = double(k + 1) * h_;
      const double sx = std::exp(-(t1 - t0_) / tau_plus_), sy = std::exp(-(t1 - t0_) / tau_minus_);
      for (double& x : X_) x *= sx;
      for (group_sum& s : groups_) s.X *= sx;
      for (double& y : Y_) y *= sy;
      t0_ = t1;
    }
  }

  /// Spikes off the grid: before a pre spike delivered in step k at t (ms,
  /// post frame), the post spikes of step k - 2 d_den (or earlier) at s <= t
  /// potentiate, and those at s < t enter Y (calls as end_step).
  template <class F>
  void before_pre(step_t k, double t, F&& potentiate) {
    take_due(k, t, k, std::nextafter(t, -1e300), potentiate);
  }

  /// Bytes held: the target-major index and the traces.
  std::size_t bytes() const {
    return index16_.capacity() * sizeof(std::uint16_t) + (col_.capacity() + index32_.capacity()) * sizeof(std::uint32_t) +
           index64_.capacity() * sizeof(std::uint64_t) +
           groups_.capacity() * sizeof(group_sum) + (X_.capacity() + Y_.capacity()) * sizeof(double) +
           pending_.capacity() * sizeof(post);
  }
  /// Bytes a synapse takes in the index: 2, 4, or 8 where no layout fits 32 bits.
  std::size_t entry_bytes() const { return !index16_.empty() ? 2 : index64_.empty() ? 4 : 8; }
  /// Whether entries hold the synapse (else its offset in the group).
  bool direct() const { return direct_; }
  /// Saves or restores the traces and the spikes still due (the index is rebuilt).
  void serialize(state_io& io) {
    const std::size_t groups = grouped() ? groups_.size() : X_.size();
    std::vector<double> X(groups);
    for (std::uint32_t g = 0; g < groups; ++g) X[g] = sum(g);
    io.field(X);
    if (X.size() != groups) throw std::runtime_error("checkpoint state does not fit this network (STDP groups)");
    for (std::uint32_t g = 0; g < groups; ++g) sum(g) = X[g];
    io.fields(Y_, pending_, pot_head_, y_head_, t0_);
  }

 private:
  struct post {
    std::uint32_t n;
    step_t m;
    double s;   // ms
  };
  /// The potentiations of pending post spikes of steps up to pot_k - 2 d_den
  /// at s <= pot_until, then the post traces of those of steps up to
  /// y_k - 2 d_den at s <= y_until, in order.
  template <class F>
  [[gnu::always_inline]] inline void take_due(step_t pot_k, double pot_until, step_t y_k, double y_until, F& potentiate) {
    for (; pot_head_ < pending_.size() && pending_[pot_head_].m + 2 * dden_ <= pot_k && pending_[pot_head_].s <= pot_until;
         ++pot_head_) {
      if (!index16_.empty())
        potentiate_spike<entry::offset_in_row>(pending_[pot_head_], index16_.data(), potentiate);
      else if (!index64_.empty())
        potentiate_spike<entry::synapse>(pending_[pot_head_], index64_.data(), potentiate);
      else if (direct_)
        potentiate_spike<entry::synapse>(pending_[pot_head_], index32_.data(), potentiate);
      else
        potentiate_spike<entry::offset_in_group>(pending_[pot_head_], index32_.data(), potentiate);
    }
    for (; y_head_ < pending_.size() && pending_[y_head_].m + 2 * dden_ <= y_k && pending_[y_head_].s <= y_until;
         ++y_head_)
      Y_[pending_[y_head_].n] += exp_post_minus_((pending_[y_head_].s - t0_) / tau_minus_);
  }
  /// std::exp(a), computed again only when a changes: on the grid a step's
  /// spikes share their time, so a pre or post spike's factor is one exp a
  /// step, not one a spike (~5 of each a step in plastic COBA, where the exps
  /// had taken ~3% of the run: bench/RESULTS.md). The same bits as std::exp.
  struct exp_memo {
    double a = std::numeric_limits<double>::quiet_NaN(), value = 0.0;
    double operator()(double x) {
      if (x != a) a = x, value = std::exp(x);
      return value;
    }
  };
  struct group_sum {
    double X;             // scaled pre sum
    std::uint32_t begin;  // the group's first synapse (read with X: one cache line)
  };
  /// Whether each group keeps its first synapse beside its sum (groups_).
  bool grouped() const { return !direct_ && begins_ == nullptr; }
  double& sum(std::uint32_t g) { return grouped() ? groups_[g].X : X_[g]; }
  /// What an entry holds beside its group: the synapse; its offset in the
  /// group, whose first synapse is in the compact rows (begins_); or its
  /// offset, the first synapse beside the group's sum (groups_).
  enum class entry { synapse, offset_in_row, offset_in_group };
  /// Fills the index, target-major, each neuron's synapses in store order.
  template <class Index, class Target>
  void fill_index(std::vector<Index>& index, Target& target, const synapse_store& store) {
    index.resize(col_.back());
    std::vector<std::uint32_t> fill(col_.begin(), col_.end() - 1);
    for (std::uint32_t g = 0; g < store.group_count(); ++g)
      for (std::uint32_t j = store.group(g).begin; j < store.group(g).end; ++j)
        index[fill[target(j)]++] = Index(Index(g) << shift_ | Index(direct_ ? j : j - store.group(g).begin));
  }
  /// Entry e's synapse and pre sum: e = g << shift_ | j (entry::synapse), else
  /// e = g << shift_ | (j - begin of g).
  template <entry kind, class Index>
  [[gnu::always_inline]] inline std::pair<std::uint32_t, double> decode(Index e) const {
    const Index mask = Index((Index(1) << shift_) - 1);
    if constexpr (kind == entry::synapse) {
      return {std::uint32_t(e & mask), X_[e >> shift_]};
    } else if constexpr (kind == entry::offset_in_row) {
      const std::uint32_t g = std::uint32_t(e >> shift_);
      return {begins_[g] + std::uint32_t(e & mask), X_[g]};
    } else {
      const group_sum& s = groups_[e >> shift_];
      return {s.begin + std::uint32_t(e & mask), s.X};
    }
  }
  /// One post spike's potentiations (end_step): synapse by synapse, or for a
  /// `potentiate` that takes blocks, block by block.
  template <entry kind, class Index, class F>
  void potentiate_spike(post p, const Index* index, F& potentiate) {
    const double e = exp_post_plus_(-(p.s - t0_) / tau_plus_);
    // (on the grid as (m + 2 d_den) h: the same bits as before spikes off it were taken)
    const double t_log = off_grid_ ? p.s + double(2 * dden_) * h_ : double(p.m + 2 * dden_) * h_;
    if constexpr (std::is_invocable_v<F&, const std::uint32_t*, const double*, std::uint32_t, double>) {
      alignas(64) std::uint32_t js[potentiation_block];
      alignas(64) double xs[potentiation_block];
      for (std::uint32_t i = col_[p.n]; i < col_[p.n + 1]; i += potentiation_block) {
        const std::uint32_t m = std::min(potentiation_block, col_[p.n + 1] - i);
        for (std::uint32_t l = 0; l < m; ++l) {
          const auto [j, X] = decode<kind>(index[i + l]);
          js[l] = j;
          xs[l] = X * e;
        }
        std::fill(xs + m, xs + (m + 7) / 8 * 8, 0.0);
        potentiate(js, xs, m, t_log);
      }
    } else {
      for (std::uint32_t i = col_[p.n]; i < col_[p.n + 1]; ++i) {
        const auto [j, X] = decode<kind>(index[i]);
        potentiate(j, X * e, t_log);
      }
    }
  }

  std::vector<std::uint32_t> col_;     // neuron n's synapses: [col_[n], col_[n + 1]) of the index
  std::vector<std::uint16_t> index16_; // target-major: group << shift_ | offset in the group (begins_)
  std::vector<std::uint32_t> index32_; // target-major: group << shift_ | synapse (direct_) or offset in the group
  std::vector<std::uint64_t> index64_; // group << 32 | synapse, where neither fits 32 bits (then index32_ is empty)
  unsigned shift_ = 0;
  bool direct_ = true;
  const std::uint32_t* begins_ = nullptr;   // the store's compact offsets, with index16_
  std::vector<double> X_;              // by group, scaled pre sums (!grouped())
  std::vector<group_sum> groups_;      // by group, sums and first synapses (grouped())
  std::vector<double> Y_;              // scaled post sums by neuron
  std::vector<post> pending_;                 // post spikes not yet in Y, in step order
  std::size_t pot_head_ = 0, y_head_ = 0;     // first not yet potentiated, first not yet in Y
  double t0_ = 0.0;                           // ms, epoch of the sums
  step_t rebase_steps_ = 1;
  std::int64_t dden_ = 1;
  double tau_plus_ = 20.0, tau_minus_ = 20.0, h_ = 0.1;
  bool off_grid_ = false;
  exp_memo exp_pre_minus_, exp_pre_plus_, exp_post_minus_, exp_post_plus_;
};

}  // namespace apical
