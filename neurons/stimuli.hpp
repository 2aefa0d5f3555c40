#pragma once
// Stimulus devices attached to a target population; applied once per
// partition per step before the neurons are updated.
//
// poisson_input (NEST poisson_generator connected to every target; Brian2
// PoissonInput): each target neuron independently receives a Poisson number of
// events of weight `weight` per step at rate `rate` [Hz], on receptor `receptor`.
// Counts come from the counter-based stream (seed, stimulus, neuron, step).
//
// dc_source (NEST dc_generator): a current `amplitude` [pA] into every target
// while start <= t < stop [ms].
#include <cstdint>
#include <vector>

#include "core/population.hpp"
#include "core/rng.hpp"

namespace apical {

class stimulus {
 public:
  virtual ~stimulus() = default;
  /// Adds this stimulus' input for ctx.step to neurons [begin, end).
  virtual void apply(std::size_t begin, std::size_t end, step_context& ctx) = 0;
  virtual bool uses_current() const { return false; }
};

class poisson_input final : public stimulus {
 public:
  poisson_input(double rate_hz, double weight, int receptor, double start, double stop, double h, std::uint64_t seed,
                std::uint64_t stream_id);
  void apply(std::size_t begin, std::size_t end, step_context& ctx) override;

 private:
  poisson_table table_;
  double weight_;
  int receptor_;
  step_t first_, last_;
  std::uint64_t seed_, stream_;
};

class dc_source final : public stimulus {
 public:
  dc_source(double amplitude_pA, double start, double stop, double h);
  void apply(std::size_t begin, std::size_t end, step_context& ctx) override;
  bool uses_current() const override { return true; }

 private:
  double amplitude_;
  step_t first_, last_;
};

}  // namespace apical
