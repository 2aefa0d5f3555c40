#pragma once
// The refractory clamp and threshold of the grid LIF models (lif_exp,
// lif_cond_exp), shared so both update loops keep the same semantics: after the
// free update of a step, a refractory neuron keeps V (clamped at V_reset) and
// counts down; otherwise V >= V_th fires, resets and starts t_ref.
//
// Written as selects on doubles only, so that the models' loops that inline it
// vectorise at the doubles' width: the refractory counter is a double (whole
// numbers of steps, exact), and no byte flag is written in the loop. With int32
// counters and byte flags GCC vectorised at the bytes' 64 lanes, held every
// double in eight registers and spilled; the model loops then wrote the free
// update to a buffer and clamped in loops of their own. Fused on doubles, CUBA's
// update takes half the time of those split loops (bench/RESULTS.md).
//
// Spikes are emitted after the loop, at step + 1 with offset 0. With a
// refractory period of at least one step a neuron fired in this step exactly
// when its counter equals n_ref, so they are found by scanning the counters of
// the chunks in which the loop saw a spike; with t_ref < h the loop writes a
// double flag per neuron instead.
#include <cstdint>

#include "core/flag_scan.hpp"
#include "core/population.hpp"

namespace apical {

struct grid_threshold {
  double V_th, V_reset;
  double n_ref;   ///< refractory steps (a whole number)

  /// Applies clamp and threshold to one neuron; returns whether it fired.
  bool apply(double& V, double V_free, double& ref_count) const {
    const double r = ref_count;
    const bool refractory = r > 0.0;
    // clamped at V_reset while refractory (V is V_reset then: it was set at the
    // spike). Written as V, the compiler stored V only where it changed, a
    // masked store: CUBA's update loop took 10% longer (bench/RESULTS.md)
    const double Vn = refractory ? V_reset : V_free;
    const bool fire = !refractory && Vn >= V_th;
    V = fire ? V_reset : Vn;
    ref_count = fire ? n_ref : (refractory ? r - 1.0 : 0.0);
    return fire;
  }

  /// Neurons per chunk: update loops track per chunk whether any neuron fired,
  /// and only chunks with a spike are scanned (CUBA: 1.7 spikes per step among
  /// 3200 neurons; bench/RESULTS.md).
  static constexpr std::size_t chunk = 512;

  /// Calls f(c0, c1) for the chunks [c0, c1) of [0, n), in order.
  template <class F>
  static void for_each_chunk(std::size_t n, F&& f) {
    for (std::size_t c0 = 0; c0 < n; c0 += chunk) f(c0, c0 + chunk < n ? c0 + chunk : n);
  }

  /// apply() and emit() for neurons [0, n) (local index begin + i) whose free
  /// update is in V_free, in loops of their own (for models whose update loop
  /// is bound by arithmetic: lif_cond_exp takes 10% more time fused). With
  /// needs_flags() V_free[i] becomes neuron i's flag.
  void apply_emit(double* __restrict V, double* __restrict V_free, double* __restrict ref_count, std::uint8_t* bytes,
                  std::size_t n, std::size_t begin, step_context& ctx) const {
    const grid_threshold rule = *this;   // a local copy: stores to V cannot alias it, so the loops vectorise
    for_each_chunk(n, [&](std::size_t c0, std::size_t c1) {
      double any = 0.0;
      if (needs_flags()) {
#pragma GCC ivdep
        for (std::size_t i = c0; i < c1; ++i) V_free[i] = rule.apply(V[i], V_free[i], ref_count[i]) ? 1.0 : 0.0;
      } else {
#pragma GCC ivdep
        for (std::size_t i = c0; i < c1; ++i) any = rule.apply(V[i], V_free[i], ref_count[i]) ? 1.0 : any;
      }
      rule.emit(any != 0.0, ref_count + c0, V_free + c0, bytes + c0, c1 - c0, begin + c0, ctx);
    });
  }

  /// Whether the update loop must write per-neuron flags (t_ref < h) rather
  /// than leave the spikes to be found from the counters.
  bool needs_flags() const { return n_ref == 0.0; }

  /// Emits the spikes of neurons [begin, begin + n) (local to the partition)
  /// after their update: from the counters rc when !needs_flags() and `any`,
  /// else from the flags (1.0 or 0.0) in `flag`, through the byte buffer `bytes`.
  void emit(bool any, const double* rc, const double* flag, std::uint8_t* bytes, std::size_t n, std::size_t begin,
            step_context& ctx) const {
    auto push = [&](std::size_t li) {
      ctx.outbox->push_back({ctx.step + 1, 0.0, ctx.global_first + static_cast<std::uint32_t>(begin + li)});
    };
    if (!needs_flags()) {
      if (any) for_each_equal(rc, n, n_ref, push);
    } else if (flags_to_bytes(flag, bytes, n)) {
      for_each_flagged(bytes, n, [&](std::size_t li, std::uint8_t) { push(li); });
    }
  }
};

}  // namespace apical
