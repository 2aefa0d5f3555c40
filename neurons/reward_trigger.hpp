#pragma once
// reward_trigger: a device that turns a spike-timing contingency into
// neuromodulator release, the reward of Izhikevich (2007): "whenever the
// postsynaptic neuron fires within 10 ms after the presynaptic one, a reward is
// delivered 1-3 s later". Its spikes are meant to drive a stdp_dopamine
// projection as its `modulator`.
//
// Receptors: a spike at "pre" arms node i for `window` ms; a spike at "post"
// at least one step later, while armed, disarms it and schedules one spike of
// node i after a delay drawn uniformly from [delay_min, delay_max] ms. Weights
// onto the trigger must be > 0; their value is not used. The delay of trigger m
// of node i comes from the counter-based stream (seed, node, m), so it does
// not depend on threads or partitions.
#include <cstdint>
#include <vector>

#include "core/population.hpp"
#include "neurons/parameters.hpp"

namespace apical {

struct reward_trigger_params {
  double window = 10.0;        ///< ms: a post spike up to this long after a pre spike triggers
  double delay_min = 1000.0;   ///< ms: shortest delay of the reward spike
  double delay_max = 3000.0;   ///< ms: longest delay of the reward spike
  std::optional<param_error> validate() const;
};

inline constexpr param_info<reward_trigger_params> reward_trigger_table[] = {
    {"window", &reward_trigger_params::window, "ms", "a post spike this long after a pre spike (or less) triggers"},
    {"delay_min", &reward_trigger_params::delay_min, "ms", "shortest delay from trigger to reward spike"},
    {"delay_max", &reward_trigger_params::delay_max, "ms", "longest delay from trigger to reward spike"},
};

class reward_trigger final : public population_dynamics {
 public:
  reward_trigger(std::size_t n, const reward_trigger_params& p, double h, std::uint64_t seed, std::uint64_t stream_id);
  std::string_view model() const override { return "reward_trigger"; }
  std::size_t size() const override { return armed_until_.size(); }
  int receptors() const override { return 2; }
  void update(std::size_t begin, std::size_t end, step_context& ctx) override;
  double cost() const override { return 0.1; }
  void serialize(state_io& io) override { io.fields(armed_from_, armed_until_, triggers_, pending_); }

 private:
  reward_trigger_params p_;
  double h_;
  std::uint64_t seed_, stream_;
  std::vector<step_t> armed_from_, armed_until_;   // per node: armed for post spikes in steps (from, until]
  std::vector<std::uint32_t> triggers_;            // per node: triggers so far (the random stream's counter)
  std::vector<std::vector<step_t>> pending_;       // per node: steps of scheduled reward spikes
};

}  // namespace apical
