#pragma once
// The runtime interface of a neuron or source population. A population keeps its
// state as structure-of-arrays; the engine calls it once per partition per step
// (never once per neuron), so the model's loop over its neurons is a plain,
// vectorisable loop.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/state_io.hpp"
#include "core/time.hpp"

namespace apical {

inline constexpr int max_receptors = 4;

/// A synaptic input that arrives inside a step (offset > 0) at a neuron of a
/// precise-timing population. Sorted by (target, offset, source, synapse).
struct offgrid_event {
  double offset;          ///< ms inside the step
  std::uint32_t target;   ///< partition-local neuron index
  std::uint32_t receptor;
  double weight;
};

/// What a population sees for one step of one partition [begin, end).
struct step_context {
  step_t step = 0;                           ///< the step [step*h, (step+1)*h) being advanced
  double h = 0.1;                            ///< ms
  /// Weights arriving at the step start, per local neuron: summed into the
  /// partition's buffers (the model zeroes what it reads), or added straight to
  /// the model's input_array() (already part of the state at update).
  double* acc[max_receptors] = {};
  double* current = nullptr;                 ///< pA per local neuron over this step from current stimuli (or null); the model zeroes it
  std::span<const offgrid_event> events;     ///< precise populations only
  std::vector<spike>* outbox = nullptr;      ///< emitted spikes go here (global ids)
  std::uint8_t* scratch = nullptr;           ///< one byte per local neuron, free for the model's use
  double* work = nullptr;                    ///< one double per local neuron, free for stimuli and sources, then for the model's update
  std::uint32_t global_first = 0;            ///< global id of the population's neuron 0
};

class population_dynamics {
 public:
  virtual ~population_dynamics() = default;
  virtual std::string_view model() const = 0;
  virtual std::size_t size() const = 0;
  /// Number of input ports (0 for sources).
  virtual int receptors() const = 0;
  /// Whether inputs inside a step are applied at their exact time.
  virtual bool precise() const { return false; }
  /// Whether every spike it emits has offset 0 (lies on the h grid).
  virtual bool spikes_on_grid() const { return !precise(); }
  /// Advances neurons [begin, end) through ctx.step.
  virtual void update(std::size_t begin, std::size_t end, step_context& ctx) = 0;
  /// Sets to zero the subnormal values of neurons [begin, end)'s state that
  /// decays towards zero (core/subnormal_flush.hpp); the engine calls it every
  /// subnormal_flush_period steps, before update.
  virtual void flush_subnormal_state(std::size_t begin, std::size_t end) {}
  /// The state array that synaptic input on `receptor` adds to directly (the
  /// current or conductance of an exponential synapse), or null when inputs must
  /// be summed into ctx.acc and handed over in update (delta synapses, whose
  /// input is discarded during the refractory period).
  virtual double* input_array(int receptor) { return nullptr; }
  /// Names of recordable state variables.
  virtual std::vector<std::string> recordables() const { return {}; }
  /// The SoA array of a recordable variable (size() values), or null.
  virtual const double* state(std::string_view var) const { return nullptr; }
  /// Writable view of a state variable, for initial values (the arrays are the
  /// model's own non-const vectors, so this is a view, not a cast-away of const data).
  double* writable_state(std::string_view var) { return const_cast<double*>(state(var)); }
  /// Relative cost of updating one neuron for one step (balances partitions).
  virtual double cost() const { return 1.0; }
  /// Saves or restores (io.loading()) every per-neuron state that update()
  /// carries from one step to the next: a checkpoint is this, not the parameters.
  virtual void serialize(state_io& io) = 0;
};

}  // namespace apical
