#pragma once
// Visiting the few set entries of a per-neuron flag array. Spikes are rare in
// a step, so the scan skips 64 flags at a time with word loads instead of
// testing byte by byte (the byte loop took a third of a CUBA run's time).
#include <bit>
#include <cstdint>
#include <cstring>

namespace apical {

/// Calls f(i) for each i in [0, n) with a[i] == value, in order. Each block of
/// 64 becomes a bit mask (vector compares), whose set bits are visited: 2.5x
/// faster than a block test followed by a scalar pass over the block
/// (bench/RESULTS.md).
template <class F>
void for_each_equal(const double* __restrict a, std::size_t n, double value, F&& f) {
  std::size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    std::uint64_t m = 0;
    for (std::size_t j = 0; j < 64; ++j) m |= std::uint64_t(a[i + j] == value) << j;
    for (; m != 0; m &= m - 1) f(i + static_cast<std::size_t>(std::countr_zero(m)));
  }
  for (; i < n; ++i)
    if (a[i] == value) f(i);
}

template <class F>
void for_each_flagged(const std::uint8_t* flags, std::size_t n, F&& f) {
  std::size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    std::uint64_t w[8];
    std::memcpy(w, flags + i, 64);
    if ((w[0] | w[1] | w[2] | w[3] | w[4] | w[5] | w[6] | w[7]) == 0) continue;
    for (std::size_t j = i; j < i + 64; ++j)
      if (flags[j]) f(j, flags[j]);
  }
  for (; i < n; ++i)
    if (flags[i]) f(i, flags[i]);
}

}  // namespace apical
