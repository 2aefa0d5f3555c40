#pragma once
// Counter-based random numbers (Salmon et al. 2011, "Parallel random numbers: as
// easy as 1, 2, 3", Philox4x32-10). A draw is a pure function of
// (seed, stream, counter): no generator state is shared between threads, so
// results do not depend on how work is split.
#include <array>
#include <bit>
#include <cstdint>
#include <limits>
#include <vector>

namespace apical {

using u32 = std::uint32_t;
using u64 = std::uint64_t;

/// One Philox4x32-10 block: 128 random bits from a 128-bit counter and 64-bit key.
/// Inline and branch-free, so loops over counters vectorise.
inline std::array<u32, 4> philox4x32(std::array<u32, 4> c, std::array<u32, 2> k) {
  constexpr u32 M0 = 0xD2511F53u, M1 = 0xCD9E8D57u, W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    const u64 p0 = static_cast<u64>(M0) * c[0];
    const u64 p1 = static_cast<u64>(M1) * c[2];
    c = {static_cast<u32>(p1 >> 32) ^ c[1] ^ k[0], static_cast<u32>(p1), static_cast<u32>(p0 >> 32) ^ c[3] ^ k[1],
         static_cast<u32>(p0)};
    k[0] += W0;
    k[1] += W1;
  }
  return c;
}

/// What a stream of random numbers is for; keeps streams of different purposes
/// apart even when their ids coincide.
enum class stream_tag : u32 {
  connectivity = 1,
  weights = 2,
  delays = 3,
  initial_state = 4,
  poisson_input = 5,
  poisson_source = 6,
  neuron_noise = 7,
  projection_total = 8,
  reward_delay = 9,
  pyramidal_spikes = 10,
  microcircuit = 11,
};

/// Uniform double in [0, 1) with 52 random bits: the bits fill the mantissa of
/// a number in [1, 2), then 1 is subtracted (exact). Integer operations only,
/// so loops that draw per neuron vectorise.
inline double to_unit(u32 hi, u32 lo) {
  const u64 mantissa = (static_cast<u64>(hi) << 20) | (lo >> 12);
  return std::bit_cast<double>(u64{0x3FF0000000000000} | mantissa) - 1.0;
}

/// A UniformRandomBitGenerator over one stream: successive calls walk the counter.
/// Lets the standard distributions (normal, binomial, ...) draw from a
/// counter-based stream. Cheap to create: create one per row or per neuron.
class stream_engine {
 public:
  using result_type = u32;
  stream_engine(u64 seed, stream_tag tag, u64 id, u64 sub = 0)
      : key_{static_cast<u32>(seed), static_cast<u32>(seed >> 32)},
        ctr_{0, static_cast<u32>(sub), static_cast<u32>(id), static_cast<u32>(id >> 32) ^ (static_cast<u32>(tag) << 24)} {}
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<u32>::max(); }
  result_type operator()() {
    if (pos_ == 4) refill();
    return block_[pos_++];
  }
  /// Uniform in [0, 1), 52 bits.
  double uniform() {
    const u32 a = (*this)();
    const u32 b = (*this)();
    return to_unit(a, b);
  }
  /// Standard normal by Box-Muller; each pair of uniforms gives two values,
  /// the second kept for the next call (a pure function of the stream still).
  double normal();

 private:
  void refill() {
    block_ = philox4x32(ctr_, key_);
    ++ctr_[0];
    pos_ = 0;
  }
  std::array<u32, 2> key_;
  std::array<u32, 4> ctr_;
  std::array<u32, 4> block_{};
  int pos_ = 4;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

/// Poisson counts with a fixed mean by inversion of a tabulated CDF: one
/// uniform per draw, exact to the 52-bit resolution of the uniform. A guide table (Chen & Asau
/// 1974) of 4096 cells answers directly wherever no CDF step falls inside a
/// cell (nearly always), else starts the search next to the answer: O(1)
/// comparisons and almost no mispredicted branches. For per-step input drives.
class poisson_table {
 public:
  explicit poisson_table(double mean);
  unsigned draw(double u) const {
    // through a signed integer: a conversion to size_t tests for 2^63 and branches
    const std::uint16_t g = guide_[static_cast<std::int32_t>(u * double(guide_size))];
    std::size_t k = g & 0x7fffu;
    if (g & 0x8000u) [[unlikely]]
      while (k < cdf_.size() && u >= cdf_[k]) ++k;
    return static_cast<unsigned>(k);
  }
  /// acc[i] += weight * draw(u[i]) for i in [0, n): each product rounded, then
  /// the sum (as the scalar expression). With AVX-512, sixteen draws a gather.
  void add_draws(const double* u, double* acc, double weight, std::size_t n) const;
  double mean() const { return mean_; }

 private:
  static constexpr std::size_t guide_size = 4096;
  double mean_;
  std::vector<double> cdf_;
  // guide_[j]: first k with cdf_[k] > j / guide_size, top bit set when a CDF
  // step falls inside the cell (then search); one entry more, unused, so that
  // a 32-bit gather at the last cell stays inside the vector
  std::vector<std::uint16_t> guide_;
};

}  // namespace apical
