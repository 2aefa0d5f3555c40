#pragma once
// Pins the run loop's threads to CPUs, one each. Unpinned, the two threads of
// a run on this project's 2-core VM now and then shared one CPU (the
// scheduler placed the new thread beside the caller and left it there): CUBA
// on 2 threads took 0.054-0.058 s instead of 0.026 s in 3 of 8 runs; pinned,
// 0.026-0.027 s in all 8 (bench/RESULTS.md). NEST leaves this to
// OMP_PROC_BIND; apical pins when it can give every thread its own CPU of the
// process's affinity set (mpirun's binding included), and not when the run
// has more threads than that set has CPUs. APICAL_PIN_THREADS=0 turns it off.
// Where pinning is not available (not Linux), nothing happens.
#include <vector>

namespace apical {

class thread_pinning {
 public:
  /// Reads the calling thread's affinity set; pins nothing yet.
  explicit thread_pinning(int threads);
  /// Restores the calling thread's affinity set.
  ~thread_pinning();
  thread_pinning(const thread_pinning&) = delete;
  thread_pinning& operator=(const thread_pinning&) = delete;

  /// Pins the calling thread, the run's thread t (0: the caller), to its CPU.
  void pin(int t) const;
  /// Whether threads are pinned in this run.
  bool active() const { return !cpus_.empty(); }

 private:
  std::vector<int> cpus_;      // CPU of thread t; empty: no pinning
  std::vector<int> allowed_;   // the caller's affinity set, to restore
};

}  // namespace apical
