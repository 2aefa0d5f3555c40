#pragma once
// The refractory clamp and threshold of the grid LIF models (lif_exp,
// lif_cond_exp), shared so both update loops keep the same semantics: after the
// free update of step k, a refractory neuron keeps V (clamped at V_reset);
// otherwise V >= V_th fires, resets, and the neuron is refractory for the next
// n_ref steps. Spikes are emitted at step k + 1 with offset 0.
//
// Refractoriness is kept as the last refractory step, `ref_until` (a double
// holding a whole step number; -1 before any spike): refractory in step k iff
// ref_until >= k. The vector loops read it and write it only for neurons that
// fire (the portable form stores it back through a select). The counter it
// replaced was decremented, so stored, for every neuron in every step: a fourth
// vector store per eight neurons, and CUBA's update is bound by its stores
// (bench/RESULTS.md). A neuron fired in step k exactly when
// ref_until == k + n_ref, for any n_ref including 0.
//
// Two forms of the same arithmetic, bit-identical (tested):
// - with AVX-512 or AVX2 and FMA (core/simd8.hpp), vectors of eight neurons
//   whose fire mask is tested once per vector (2 spikes per step among CUBA's
//   4000 neurons: a predicted branch);
//   the few neurons that fire have ref_until written and their spike emitted
//   there, in index order;
// - elsewhere, selects on doubles only, so that GCC vectorises the loops at the
//   doubles' width (given -fno-trapping-math: CMakeLists.txt), with spikes
//   found afterwards by scanning ref_until in the chunks in which the loop saw
//   a spike.
#include <cstdint>

#include "core/flag_scan.hpp"
#include "core/population.hpp"
#include "core/simd8.hpp"

namespace apical {

/// Whether the grid LIF loops take their vector form (core/simd8.hpp: AVX-512,
/// or AVX2 with FMA; when compiled with either).
/// Tests turn it off to compare the two forms; nothing else changes it.
inline bool grid_simd_enabled = true;

struct grid_threshold {
  double V_th, V_reset;
  double n_ref;   ///< refractory steps (a whole number)

  /// ref_until of a neuron that never fired
  static constexpr double never = -1.0;

  /// The loops' constants for step k.
  struct step_values {
    double k;           ///< the step, as a double (exact below 2^53)
    double k_fired;     ///< ref_until of a neuron firing in it: k + n_ref
  };
  step_values at(step_t k) const { return {double(k), double(k) + n_ref}; }

  /// Applies clamp and threshold to one neuron in step s; returns whether it fired.
  bool apply(double& V, double V_free, double& ref_until, step_values s) const {
    const double r = ref_until;
    const bool refractory = r >= s.k;
    // clamped at V_reset while refractory (V is V_reset then: it was set at the
    // spike). Written as V, the compiler stored V only where it changed, a
    // masked store: CUBA's update loop took 10% longer (bench/RESULTS.md)
    const double Vn = refractory ? V_reset : V_free;
    const bool fire = !refractory && Vn >= V_th;
    V = fire ? V_reset : Vn;
    ref_until = fire ? s.k_fired : r;
    return fire;
  }

  /// Neurons per chunk in the portable form: update loops track per chunk
  /// whether any neuron fired, and only chunks with a spike are scanned.
  static constexpr std::size_t chunk = 512;

  /// Calls f(c0, c1) for the chunks [c0, c1) of [0, n), in order.
  template <class F>
  static void for_each_chunk(std::size_t n, F&& f) {
    for (std::size_t c0 = 0; c0 < n; c0 += chunk) f(c0, c0 + chunk < n ? c0 + chunk : n);
  }

  /// Emits the spike of local neuron li (partition-local index).
  static void push(step_context& ctx, std::size_t li) {
    ctx.outbox->push_back({ctx.step + 1, 0.0, ctx.global_first + static_cast<std::uint32_t>(li)});
  }

  /// Emits the spikes of the neurons [begin, begin + n) (local to the
  /// partition) that fired in this step, found in ref_until, when `any`.
  void emit(bool any, const double* ref_until, std::size_t n, std::size_t begin, step_context& ctx) const {
    if (any) for_each_equal(ref_until, n, at(ctx.step).k_fired, [&](std::size_t li) { push(ctx, begin + li); });
  }

#if defined(APICAL_SIMD8)
  /// The vector form's end of eight neurons [li, li + 8) (local index
  /// begin + li): stores V, and for the lanes in `fire` writes ref_until and
  /// emits their spikes, in index order.
  void finish8(double* V, double* ref_until, std::size_t li, simd8::vec V_free, simd8::mask refractory, simd8::mask fire,
               std::size_t begin, step_values s, step_context& ctx) const {
    simd8::store(V + li, simd8::blend(refractory | fire, V_free, simd8::set1(V_reset)));
    if (const unsigned fired = simd8::bits(fire); fired != 0) [[unlikely]] {
      for (unsigned m = fired; m != 0; m &= m - 1) {
        const std::size_t i = li + static_cast<std::size_t>(__builtin_ctz(m));
        ref_until[i] = s.k_fired;
        push(ctx, begin + i);
      }
    }
  }

  /// The refractory and fire masks of eight neurons. (A struct of its own: as
  /// a std::pair of two-halves masks GCC 12 passed it through the stack in
  /// 16-byte pieces and reloaded it whole, a stalled store forwarding that
  /// took COBA's AVX2 update 50% longer.)
  struct lane_masks {
    simd8::mask refractory, fire;
  };
  lane_masks masks8(simd8::vec V_free, simd8::vec ref_until, step_values s) const {
    const simd8::mask refractory = simd8::ge(ref_until, simd8::set1(s.k));
    // ordered compare: a NaN V_free does not fire, as in apply()
    const simd8::mask fire = simd8::and_not(refractory, simd8::ge(V_free, simd8::set1(V_th)));
    return {refractory, fire};
  }
#endif

  /// apply() and the spikes for neurons [0, n) (local index begin + i) whose
  /// free update is in V_free, in loops of their own (for models whose update
  /// loop is bound by arithmetic: lif_cond_exp takes 10% more time fused).
  void apply_emit(double* __restrict V, const double* __restrict V_free, double* __restrict ref_until, std::size_t n,
                  std::size_t begin, step_context& ctx) const {
    const grid_threshold rule = *this;   // a local copy: stores to V cannot alias it, so the loops vectorise
    const step_values s = at(ctx.step);
    std::size_t done = 0;
#if defined(APICAL_SIMD8)
    if (grid_simd_enabled) {
      for (; done + 8 <= n; done += 8) {
        const simd8::vec vf = simd8::load(V_free + done);
        const auto [refractory, fire] = rule.masks8(vf, simd8::load(ref_until + done), s);
        rule.finish8(V, ref_until, done, vf, refractory, fire, begin, s, ctx);
      }
    }
#endif
    for_each_chunk(n - done, [&](std::size_t c0, std::size_t c1) {
      double any = 0.0;
#pragma GCC ivdep
      for (std::size_t i = done + c0; i < done + c1; ++i)
        any = rule.apply(V[i], V_free[i], ref_until[i], s) ? 1.0 : any;
      rule.emit(any != 0.0, ref_until + done + c0, c1 - c0, begin + done + c0, ctx);
    });
  }
};

}  // namespace apical
