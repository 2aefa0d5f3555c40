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
//
// sinusoidal_input: every step k with start <= k h < stop adds
//   offset + amplitude sin(2 pi frequency k h + phase)
// (frequency in Hz, phase in degrees) to receptor `receptor` of every target,
// as a weight arriving at the step start: NEST's spike_generator with
// spike_weights at every step, the somatic teacher of NEST's Urbanczik-Senn
// example. Into an exponential synapse of time constant tau, a constant input
// w per step holds the conductance (or current) at w / (1 - exp(-h/tau)),
// about w tau / h.
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

class sinusoidal_input final : public stimulus {
 public:
  sinusoidal_input(double amplitude, double offset, double frequency_hz, double phase_deg, int receptor, double start,
                   double stop, double h);
  void apply(std::size_t begin, std::size_t end, step_context& ctx) override;

 private:
  double amplitude_, offset_, omega_, phase_, h_;   // omega_: rad/ms, phase_: rad
  int receptor_;
  step_t first_, last_;
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
