#pragma once
// Subnormal state set to zero, every subnormal_flush_period steps.
//
// A neuron that receives nothing decays its synaptic currents or conductances
// (and, with E_L = 0, its V_m) by a constant factor P < 1 per step. After ~708
// time constants the value leaves the normal doubles (|x| < 2.2e-308) and, with
// round-to-nearest, never reaches zero: x P rounds back to x once x is a few
// multiples of the smallest subnormal (4.9e-324) and P > 1 - 1/(2 x/4.9e-324).
// Some arithmetic on subnormals takes a slow path on x86 (lif_cond_exp's
// multiply-adds into a normal sum, here): 4000 silent lif_cond_exp
// neurons updated 1.7x slower on Zen 2 (bench/RESULTS.md, "Subnormal state").
//
// The flush sets such values to zero, which is what they stand for. It is done
// here, on the state, rather than by the CPU's flush-to-zero mode (MXCSR FTZ/DAZ),
// which would change IEEE semantics for every computation in the worker threads,
// libm included, and exists on x86 only. What a model computes from its state
// does not change: a subnormal, or one times a model constant, added to a
// number of ordinary size (|y| > 1e-290) is below half its ulp and leaves it
// unchanged, so V_m's steps, spikes and weights are the same bit for bit; the
// flushed values themselves, below 2.2e-308 in their unit, read 0
// (tests/core/subnormal_flush_test.cpp). The one exception is a sum that is
// otherwise exactly zero (V_m = E_L = 0 at rest), which the flush leaves 0
// where the unflushed run carries a subnormal.
//
// The period bounds the subnormal arithmetic of a decay to one period per ~708
// time constants of silence; one pass over the state per 1000 steps costs
// nothing measurable.
#include <cmath>
#include <concepts>
#include <cstddef>
#include <limits>
#include <vector>

#include "core/time.hpp"

namespace apical {

/// Steps between two flushes: every population flushes at steps k with k % period == 0.
inline constexpr step_t subnormal_flush_period = 1000;

/// Whether the engine flushes subnormal state. Tests turn it off to compare
/// runs with and without; nothing else changes it.
inline bool subnormal_flush_enabled = true;

/// x[i] = 0 where x[i] is subnormal (0 < |x[i]| < DBL_MIN); everything else,
/// infinities and NaN included, unchanged. Written so that GCC vectorises it.
inline void flush_subnormals(double* x, std::size_t n) {
  constexpr double smallest_normal = std::numeric_limits<double>::min();
  for (std::size_t i = 0; i < n; ++i) x[i] = std::abs(x[i]) < smallest_normal ? 0.0 : x[i];
}

/// flush_subnormals over elements [begin, end) of each array.
template <std::same_as<std::vector<double>>... Arrays>
void flush_subnormals(std::size_t begin, std::size_t end, Arrays&... arrays) {
  (flush_subnormals(arrays.data() + begin, end - begin), ...);
}

}  // namespace apical
