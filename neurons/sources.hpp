#pragma once
// Spike sources: populations that emit spikes but receive no input.
//
// poisson_source (NEST poisson_generator + parrot_neuron; PyNN SpikeSourcePoisson):
// every node fires an independent Poisson train of rate `rate` [Hz] while
// start <= t < stop [ms]. The count in each step is Poisson(rate*h) drawn from
// the counter-based stream (seed, node, step), so trains do not depend on the
// thread count. Spikes sit at the step start (offset 0). With `period` > 0 the
// trains are frozen: the draw of step k is the draw of step
// first + (k - first) mod (period / h), so one pattern of length `period`
// repeats from `start` on (the frozen Poisson pattern of Urbanczik & Senn 2014).
//
// spike_source (NEST spike_generator; PyNN SpikeSourceArray): node i fires at
// the given times [ms], each at its exact offset inside its step.
#include <vector>

#include "core/population.hpp"
#include "core/rng.hpp"
#include "neurons/parameters.hpp"

namespace apical {

struct poisson_source_params {
  double rate = 0.0, start = 0.0, stop = 1e300, period = 0.0;
  std::optional<param_error> validate() const;
};

inline constexpr param_info<poisson_source_params> poisson_source_table[] = {
    {"rate", &poisson_source_params::rate, "Hz", "mean firing rate of every node"},
    {"start", &poisson_source_params::start, "ms", "first time a spike may occur"},
    {"stop", &poisson_source_params::stop, "ms", "no spikes at or after this time"},
    {"period", &poisson_source_params::period, "ms", "repeat the trains with this period (0: never)"},
};

class poisson_source final : public population_dynamics {
 public:
  poisson_source(std::size_t n, const poisson_source_params& p, double h, std::uint64_t seed, std::uint64_t stream_id);
  std::string_view model() const override { return "poisson_source"; }
  std::size_t size() const override { return n_; }
  int receptors() const override { return 0; }
  void update(std::size_t begin, std::size_t end, step_context& ctx) override;
  double cost() const override { return 0.3; }
  void serialize(state_io&) override {}   // counter-based draws: no state

 private:
  std::size_t n_;
  poisson_source_params p_;
  poisson_table table_;
  step_t first_, last_;   // active steps [first_, last_)
  step_t period_;         // steps; 0: no repetition
  std::uint64_t seed_, stream_;
};

class spike_source final : public population_dynamics {
 public:
  /// times[i]: spike times [ms] of node i, each list sorted ascending.
  spike_source(std::vector<std::vector<double>> times, double h);
  std::string_view model() const override { return "spike_source"; }
  std::size_t size() const override { return times_.size(); }
  int receptors() const override { return 0; }
  void update(std::size_t begin, std::size_t end, step_context& ctx) override;
  double cost() const override { return 0.1; }
  /// Given times between grid points keep their offsets.
  bool spikes_on_grid() const override { return on_grid_; }
  void serialize(state_io& io) override { io.field(next_); }

 private:
  std::vector<std::vector<grid_time>> times_;
  bool on_grid_ = true;
  std::vector<std::size_t> next_;   // per node: index of the next spike to emit
};

/// Block `counter` of the counter-based stream (seed, tag, id, sub): the same
/// numbers stream_engine(seed, tag, id, sub) yields as its block `counter`.
std::array<u32, 4> random_block(std::uint64_t seed, stream_tag tag, std::uint64_t id, std::uint32_t sub, std::uint32_t counter);

/// The uniform in [0, 1) (52 bits) of neuron i at `step` in stream (seed, tag, id): one
/// Philox block serves the neuron pair (2m, 2m+1), words 0-1 and 2-3. A pure
/// function of (neuron, step), so it does not depend on partition boundaries.
/// Steps wrap after 2^32 (4.9 days of biological time at h = 0.1 ms).
inline double pair_uniform(std::uint64_t seed, stream_tag tag, std::uint64_t id, std::size_t i, step_t step) {
  const auto b = random_block(seed, tag, id, static_cast<u32>(i >> 1), static_cast<u32>(step));
  return (i & 1) ? to_unit(b[2], b[3]) : to_unit(b[0], b[1]);
}

/// pair_uniform for neurons [begin, end) at once, written to u[0 .. end-begin):
/// the same numbers, in a loop over neuron pairs that vectorises.
void pair_uniforms(std::uint64_t seed, stream_tag tag, std::uint64_t id, std::size_t begin, std::size_t end, step_t step,
                   double* u);

}  // namespace apical
