#pragma once
// The refractory clamp and threshold of the grid LIF models (lif_exp,
// lif_cond_exp), shared so both update loops keep the same semantics: after the
// free update of a step, a refractory neuron keeps V (clamped at V_reset) and
// counts down; otherwise V >= V_th fires, resets and starts t_ref. Written as
// selects so the loops that inline it vectorise; spikes are flagged and emitted
// at the step's end in a second pass.
#include <cstdint>

#include "core/flag_scan.hpp"
#include "core/population.hpp"

namespace apical {

struct grid_threshold {
  double V_th, V_reset;
  std::int32_t n_ref;   ///< refractory steps

  /// Applies clamp and threshold to one neuron; returns whether it fired.
  bool apply(double& V, double V_free, std::int32_t& ref_count) const {
    const std::int32_t r = ref_count;
    const bool refractory = r > 0;
    const double Vn = refractory ? V : V_free;
    const bool fire = !refractory && Vn >= V_th;
    V = fire ? V_reset : Vn;
    ref_count = fire ? n_ref : (refractory ? r - 1 : 0);
    return fire;
  }

  /// apply() for neurons [0, n) whose free update is in V_free (overwritten):
  /// flags the spikes in `fired` and returns whether any neuron fired. Kept
  /// apart from the model's update loop and split by element width: a loop
  /// that mixes the doubles with the byte flags vectorises at the bytes' 64
  /// lanes, holds every double in eight registers and spills. lif_exp takes 22%
  /// less time this way; lif_cond_exp gains once its exp uses fused
  /// multiply-adds (bench/RESULTS.md).
  bool apply_all(double* __restrict V, double* __restrict V_free, std::int32_t* __restrict ref_count,
                 std::uint8_t* __restrict fired, std::size_t n) const {
#pragma GCC ivdep
    for (std::size_t i = 0; i < n; ++i) V_free[i] = apply(V[i], V_free[i], ref_count[i]) ? 1.0 : 0.0;
    return flags_to_bytes(V_free, fired, n);
  }
};

/// Emits the spikes flagged for neurons [begin, begin + n) at the end of ctx.step.
inline void emit_grid_spikes(const std::uint8_t* fired, std::size_t n, std::size_t begin, step_context& ctx) {
  for_each_flagged(fired, n, [&](std::size_t li, std::uint8_t) {
    ctx.outbox->push_back({ctx.step + 1, 0.0, ctx.global_first + static_cast<std::uint32_t>(begin + li)});
  });
}

}  // namespace apical
