// Micro-benchmark of the event queue: the calendar queue (core/event_queue.hpp)
// against a binary heap (std::priority_queue) and a 4-ary heap, on the pattern
// of the run loop: at each window start, one entry per (spike, delay group) is
// pushed with arrival = spike step + delay; then each step of the window pops
// its entries in (time, source) order.
//
//   ./build/queue_bench [spikes_per_step=100] [groups_per_spike=8] [steps=100000]
//
// Prints ns per pushed-and-popped entry for each queue (the entries are drawn
// before timing; the checksum, independent of the order within a step, shows
// that every queue delivered the same entries at the same steps). Not a test.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <queue>
#include <vector>

#include "core/event_queue.hpp"
#include "core/rng.hpp"

using namespace apical;

namespace {
struct timed_entry {
  step_t arrival;
  queue_entry e;
  bool operator>(const timed_entry& o) const {
    if (arrival != o.arrival) return arrival > o.arrival;
    if (e.offset != o.e.offset) return e.offset > o.e.offset;
    return e.source > o.e.source;
  }
};

/// A d-ary min-heap on a vector.
template <int D>
class dary_heap {
 public:
  void push(const timed_entry& x) {
    v_.push_back(x);
    std::size_t i = v_.size() - 1;
    while (i > 0) {
      const std::size_t p = (i - 1) / D;
      if (!(v_[p] > v_[i])) break;
      std::swap(v_[p], v_[i]);
      i = p;
    }
  }
  const timed_entry& top() const { return v_.front(); }
  bool empty() const { return v_.empty(); }
  void pop() {
    v_.front() = v_.back();
    v_.pop_back();
    std::size_t i = 0;
    for (;;) {
      std::size_t best = i;
      for (int c = 1; c <= D; ++c) {
        const std::size_t j = D * i + c;
        if (j < v_.size() && v_[best] > v_[j]) best = j;
      }
      if (best == i) break;
      std::swap(v_[i], v_[best]);
      i = best;
    }
  }

 private:
  std::vector<timed_entry> v_;
};

struct workload {
  int spikes_per_step, groups, steps, window = 15, max_delay = 40;
};

/// The entries pushed at each window start (drawn before timing).
std::vector<std::vector<timed_entry>> make_pushes(const workload& w) {
  stream_engine rng(1, stream_tag::neuron_noise, 0);
  std::vector<std::vector<timed_entry>> out;
  for (step_t w0 = 0; w0 < w.steps; w0 += w.window) {
    auto& v = out.emplace_back();
    for (int k = 0; k < w.spikes_per_step * w.window; ++k) {
      const step_t t = w0 - w.window + static_cast<step_t>(k / w.spikes_per_step);
      const auto src = static_cast<std::uint32_t>(rng() % 100000);
      for (int g = 0; g < w.groups; ++g)
        v.push_back({t + w.window + static_cast<step_t>(rng() % w.max_delay), {0.0, static_cast<std::uint32_t>(g), src}});
    }
  }
  return out;
}

/// Order-independent checksum of what was popped at which step.
inline std::uint64_t mix(std::uint64_t c, step_t s, const queue_entry& e) {
  return c + (std::uint64_t(s) * 1000003u + e.source) * 2654435761u + e.group;
}

template <class Q>
std::uint64_t run_heap(const workload& w, const std::vector<std::vector<timed_entry>>& pushes, Q& q) {
  std::uint64_t check = 0;
  std::size_t wi = 0;
  for (step_t w0 = 0; w0 < w.steps; w0 += w.window, ++wi) {
    for (const auto& x : pushes[wi]) q.push(x);
    for (step_t s = w0; s < w0 + w.window; ++s)
      while (!q.empty() && q.top().arrival <= s) {
        check = mix(check, s, q.top().e);
        q.pop();
      }
  }
  return check;
}

std::uint64_t run_calendar(const workload& w, const std::vector<std::vector<timed_entry>>& pushes) {
  calendar_queue q;
  q.reset(w.window + w.max_delay + w.window);
  std::uint64_t check = 0;
  std::size_t wi = 0;
  for (step_t w0 = 0; w0 < w.steps; w0 += w.window, ++wi) {
    for (const auto& x : pushes[wi]) q.push(x.arrival, x.e);
    // a bucket is drained in insertion order, which is already the global
    // (time, source) order of the spikes: no sorting at all
    for (step_t s = w0; s < w0 + w.window; ++s) {
      auto& b = q.bucket(s);
      for (const auto& e : b) check = mix(check, s, e);
      b.clear();
    }
  }
  return check;
}
}  // namespace

int main(int argc, char** argv) {
  workload w{argc > 1 ? std::atoi(argv[1]) : 100, argc > 2 ? std::atoi(argv[2]) : 8, argc > 3 ? std::atoi(argv[3]) : 100000};
  const double entries = double(w.spikes_per_step) * w.groups * w.steps;
  auto time = [&](const char* name, const std::function<std::uint64_t()>& f) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::uint64_t c = f();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%-28s %7.2f ns per entry   (checksum %016llx)\n", name, s / entries * 1e9, static_cast<unsigned long long>(c));
  };
  std::printf("%d spikes/step, %d delay groups/spike, %d steps: %.3g entries\n", w.spikes_per_step, w.groups, w.steps, entries);
  const auto pushes = make_pushes(w);
  time("calendar queue (apical)", [&] { return run_calendar(w, pushes); });
  time("binary heap (std::priority_queue)", [&] {
    std::priority_queue<timed_entry, std::vector<timed_entry>, std::greater<timed_entry>> q;
    return run_heap(w, pushes, q);
  });
  time("4-ary heap", [&] {
    dary_heap<4> q;
    return run_heap(w, pushes, q);
  });
  return 0;
}
