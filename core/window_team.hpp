#pragma once
// The threads of the run loop. Windows are short (one step for COBA and CUBA:
// 10,000 per simulated second), and a tbb::parallel_for per window let the
// worker go to sleep between windows and paid its wake-up every time: about
// 8 us per window, which made CUBA on 2 threads 2.7x slower than on one
// (bench/RESULTS.md). Here `threads` threads (the caller and threads - 1
// started for the run) stay in a spin barrier between windows.
//
// Each window every thread t runs work(t); when all have finished, the
// calling thread alone runs serial() (the spike exchange, records, progress,
// and MPI, which is initialised MPI_THREAD_FUNNELED), which returns whether
// another window follows. An exception in either stops the team after the
// window and is rethrown to the caller. Each thread is pinned to a CPU of its
// own where that is possible (core/thread_pinning.hpp).
#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "core/thread_pinning.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace apical {

namespace detail {
inline void spin_pause(unsigned& spins) {
  // pause while the wait is short, then let other processes run
  if (++spins < 256) {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#endif
  } else {
    std::this_thread::yield();
  }
}
}  // namespace detail

template <class Work, class Serial>
void run_windows(int threads, Work&& work, Serial&& serial) {
  if (threads <= 1) {
    do work(0);
    while (serial());
    return;
  }
  std::atomic<int> arrived{0};                // workers done with this window
  std::atomic<std::uint64_t> generation{0};   // windows released
  std::atomic<bool> stop{false}, failed{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto fail = [&] {
    const std::lock_guard lock(error_mutex);
    if (!error) error = std::current_exception();
    failed.store(true, std::memory_order_relaxed);
  };
  auto run_work = [&](int t) {
    if (failed.load(std::memory_order_relaxed)) return;
    try {
      work(t);
    } catch (...) {
      fail();
    }
  };
  const thread_pinning pinning(threads);   // restores the caller's CPUs when the run ends
  pinning.pin(0);
  auto worker = [&](int t) {
    pinning.pin(t);
    for (std::uint64_t gen = 0;; ++gen) {
      run_work(t);
      arrived.fetch_add(1, std::memory_order_release);
      unsigned spins = 0;
      while (generation.load(std::memory_order_acquire) == gen) detail::spin_pause(spins);
      if (stop.load(std::memory_order_relaxed)) return;
    }
  };
  std::vector<std::jthread> team;
  team.reserve(std::size_t(threads - 1));
  for (int t = 1; t < threads; ++t) team.emplace_back(worker, t);
  for (std::uint64_t gen = 0;; ++gen) {
    run_work(0);
    unsigned spins = 0;
    while (arrived.load(std::memory_order_acquire) != threads - 1) detail::spin_pause(spins);
    arrived.store(0, std::memory_order_relaxed);
    bool more = false;
    if (!failed.load(std::memory_order_relaxed)) {
      try {
        more = serial();
      } catch (...) {
        fail();
      }
    }
    stop.store(!more, std::memory_order_relaxed);
    generation.store(gen + 1, std::memory_order_release);
    if (!more) break;
  }
  team.clear();   // joins
  if (error) std::rethrow_exception(error);
}

}  // namespace apical
