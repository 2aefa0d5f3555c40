#pragma once
// The clock of the run loop's phase timers (deliver, update, exchange, record),
// read a few times per step and partition: with one-step windows (CUBA, COBA)
// 30,000-110,000 reads per simulated second. steady_clock::now() (the vDSO's
// clock_gettime) took 24 ns a read on a KVM guest, 8% of a CUBA run's samples;
// the x86 time-stamp counter takes 9.5 ns (bench/RESULTS.md). The counter runs
// at a constant rate on x86-64 processors of the last fifteen years
// (constant_tsc), and is synchronised across their cores; its rate is measured
// against steady_clock over each run, so no frequency is assumed.
// Elsewhere the ticks are steady_clock's.
#include <chrono>
#include <cstdint>

namespace apical {

struct phase_clock {
  using ticks = std::int64_t;

  static ticks now() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    return static_cast<ticks>(__builtin_ia32_rdtsc());   // GCC's and Clang's; no <x86intrin.h> in every file
#else
    return std::chrono::steady_clock::now().time_since_epoch().count();
#endif
  }
};

/// Measures the seconds per tick of phase_clock over an interval (a run).
class tick_rate {
 public:
  tick_rate() : wall0_(std::chrono::steady_clock::now()), tick0_(phase_clock::now()) {}

  /// Seconds per tick from construction until now (0 if no tick passed).
  double seconds_per_tick() const {
    const phase_clock::ticks dt = phase_clock::now() - tick0_;
    return per_tick(dt, std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0_).count());
  }
  /// Seconds per tick of an interval of `ticks` ticks that took `seconds` (0 if no tick passed).
  static double per_tick(phase_clock::ticks ticks, double seconds) { return ticks > 0 ? seconds / double(ticks) : 0.0; }

 private:
  std::chrono::steady_clock::time_point wall0_;
  phase_clock::ticks tick0_;
};

}  // namespace apical
