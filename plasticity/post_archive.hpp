#pragma once
// The postsynaptic spike history that pre-driven STDP reads (NEST's
// ArchivingNode): per target neuron, its spikes with the post traces o1 (after
// the spike) and o2 (just before it). A pre spike reads the post spikes since
// that synapse's previous pre spike; each entry counts its readers and is
// dropped once every synapse onto the neuron has read it and a later entry has
// been read too (so the last post spike before any future pre spike is kept for
// depression). A silent presynaptic neuron would keep the history growing, as in
// NEST; stdp_synapses::catch_up reads it for them (the reads are the same).
#include <cmath>
#include <cstdint>
#include <iterator>
#include <memory>
#include <span>
#include <stdexcept>
#include <vector>

#include "core/state_io.hpp"

namespace apical {

class post_archive {
 public:
  struct entry {
    double t;           ///< ms, post spike time (post frame)
    double o1;          ///< post trace o1 (tau_minus) just after the spike
    double o2_before;   ///< post trace o2 (tau_y) just before the spike
    std::uint32_t reads = 0;
  };

  void reset(std::size_t neurons, double tau_minus, double tau_y, bool nearest) {
    hist_.assign(neurons, {});
    recent_.assign(neurons, {});
    newest_.assign(neurons, {});
    tau_minus_ = tau_minus;
    tau_y_ = tau_y;
    nearest_ = nearest;
  }
  /// Number of synapses that read neuron n's history.
  void set_readers(std::size_t n, std::uint32_t readers) { hist_[n].readers = readers; }

  /// Appends neuron n's spike at t (ms, not before its previous one).
  void add_spike(std::size_t n, double t) {
    history& h = hist_[n];
    if (h.readers == 0) return;
    recent& r = recent_[n];
    if (h.e.size() > h.head) h.e.back().reads = r.reads;   // the newest entry's count lived in r
    prune(h);
    entry e{t, 1.0, 0.0, 0};
    if (h.e.size() > h.head) {
      const entry& p = h.e.back();
      const double o2_after = nearest_ ? 1.0 : p.o2_before + 1.0;
      e.o2_before = o2_after * std::exp(-(t - p.t) / tau_y_);
      if (!nearest_) e.o1 = p.o1 * std::exp(-(t - p.t) / tau_minus_) + 1.0;
    }
    h.e.push_back(e);
    r = {t, e.o1, e.o2_before, r.t, r.o1, 0};
    newest_[n] = {t, e.o1};
  }

  /// A post spike's time (-1e300 when none) and o1 after it.
  struct newest {
    double t = -1e300;
    double o1 = 0.0;
  };
  /// Neuron n's two newest spikes, a dense copy of the history's last two
  /// entries, and the read count of the newest. A pre spike that follows at
  /// most one post spike since its previous one (most of them at cortical
  /// rates) finds all it needs here and reads no history: one cache miss less
  /// per synapse (bench/RESULTS.md). One cache line each (at 48 bytes, half of
  /// them straddled two lines).
  struct alignas(64) recent {
    double t = -1e300;        ///< ms, newest spike
    double o1 = 0.0;          ///< o1 just after it
    double o2_before = 0.0;   ///< o2 just before it
    double t_prev = -1e300;   ///< ms, the spike before it
    double o1_prev = 0.0;     ///< o1 just after that one
    std::uint32_t reads = 0;  ///< readers of the newest so far (its entry's count is stale)
  };
  recent& newest_spikes(std::size_t n) { return recent_[n]; }
  /// The newest spike's time and o1 of every neuron, 16 bytes each (a quarter of
  /// the dense copy's line): all that depression needs when the target has not
  /// fired since a synapse's previous pre spike. Four neurons a cache line, so
  /// that the quiet pass's gathers (plasticity/stdp_quiet_pass.hpp) miss less.
  const newest* newest_times() const { return newest_.data(); }
  /// After the caller counted one read of each of the entries [first, last)
  /// of neuron n's live entries `hist` (entries(n)) in their `reads`: the
  /// newest entry's count lives in the dense copy (the entry's own is stale
  /// until the next spike folds the copy's in), so a range that ends with it
  /// counts there. Without a branch.
  void count_newest_read(std::size_t n, std::span<entry> hist, const entry* first, const entry* last) {
    recent_[n].reads += static_cast<std::uint32_t>(first != last && last == hist.data() + hist.size());
  }

  /// Neuron n's live entries, oldest first.
  std::span<entry> entries(std::size_t n) {
    history& h = hist_[n];
    return {h.e.data() + h.head, h.e.size() - h.head};
  }
  /// A pre spike's reading of neuron n's live entries `hist` (entries(n)): f on
  /// each entry in (after, upto] (ms), in time order, each counted read (the
  /// potentiation loop of NEST's stdp_synapse::send). Returns the position
  /// past the last one read. The first is searched back from the newest: the
  /// scan visits the post spikes since `after`, which the loop visits anyway,
  /// while a binary search over the whole history (back to the slowest
  /// reader's previous spike) pays a mispredicted branch per halving (plastic
  /// COBA 4% faster at 1 s, 8% at 3 s: bench/RESULTS.md).
  template <class F>
  [[gnu::always_inline]] inline std::span<entry>::iterator read(std::size_t n, std::span<entry> hist, double after,
                                                               double upto, F&& f) {
    auto first = hist.end();
    while (first != hist.begin() && std::prev(first)->t > after) --first;
    auto it = first;
    for (; it != hist.end() && it->t <= upto; ++it) {
      f(*it);
      ++it->reads;
    }
    count_newest_read(n, hist, std::to_address(first), std::to_address(it));
    return it;
  }
  /// Asks the cache for neuron n's newest history entries (two lines) if
  /// `wanted`; without a branch on it (an unpredictable one).
  void prefetch_newest(std::size_t n, bool wanted) const {
    const history& h = hist_[n];
    const std::size_t size = wanted ? h.e.size() : 0;
    const char* const none = reinterpret_cast<const char*>(&h);   // in the cache already
    __builtin_prefetch(size > 1 ? reinterpret_cast<const char*>(h.e.data() + (size - 1)) : none);
    __builtin_prefetch(size > 3 ? reinterpret_cast<const char*>(h.e.data() + (size - 3)) : none);
  }
  /// Asks the cache for neuron n's dense copy and history header.
  void prefetch_neuron(std::size_t n) const {
    __builtin_prefetch(&recent_[n]);
    __builtin_prefetch(&hist_[n]);
  }

  /// Entries held over all neurons.
  std::size_t size() const {
    std::size_t s = 0;
    for (const auto& h : hist_) s += h.e.size() - h.head;
    return s;
  }
  /// Saves or restores the histories (checkpoints; core/state_io.hpp).
  void serialize(state_io& io) {
    std::uint64_t n = hist_.size();
    io.field(n);
    if (io.loading() && n != hist_.size()) throw std::runtime_error("checkpoint: post archive of another size");
    for (auto& h : hist_) io.fields(h.e, h.head, h.readers);
    io.field(recent_);
    if (io.loading())
      for (std::size_t n = 0; n < recent_.size(); ++n) newest_[n] = {recent_[n].t, recent_[n].o1};
  }
  /// Bytes held: live entries and the dense newest-spike copies (memory figures).
  std::size_t bytes() const {
    return size() * sizeof(entry) + recent_.capacity() * sizeof(recent) + newest_.capacity() * sizeof(newest);
  }

 private:
  struct history {
    std::vector<entry> e;
    std::uint32_t head = 0;      // first live entry
    std::uint32_t readers = 0;
  };
  static void prune(history& h) {
    while (h.e.size() - h.head >= 2 && h.e[h.head].reads >= h.readers && h.e[h.head + 1].reads >= h.readers) ++h.head;
    // compact when the dead front is large, so memory follows the live history
    if (h.head >= 32 && h.head * 2 >= h.e.size()) {
      h.e.erase(h.e.begin(), h.e.begin() + h.head);
      h.head = 0;
    }
  }

  std::vector<history> hist_;
  std::vector<recent> recent_;
  std::vector<newest> newest_;   // recent_'s t and o1, packed
  double tau_minus_ = 20.0, tau_y_ = 114.0;
  bool nearest_ = false;
};

}  // namespace apical
