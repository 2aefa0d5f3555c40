#pragma once
// exp(-dt / tau) for the interval between two spikes, as STDP's traces decay.
// When both spikes lie on the h grid (grid neuron models and sources), dt is
// a whole number m of steps and the decay is the propagator exp(-m h / tau),
// which NEST also precomputes; a table of its first values replaces the
// std::exp calls that took 40% of the plastic synapses' time in plastic COBA
// (bench/RESULTS.md). Longer intervals compute the same expression. Pairs with
// an off-grid spike (precise models) call std::exp as before.
#include <cmath>
#include <cstddef>
#include <vector>

namespace apical {

class grid_decay {
 public:
  grid_decay() = default;
  /// tau, h in ms; `on_grid`: every spike this decay is used for is on the h grid.
  grid_decay(double tau, double h, bool on_grid, std::size_t size = 4096)
      : inv_tau_(1.0 / tau), h_(h), inv_h_(1.0 / h), on_grid_(on_grid) {
    if (!on_grid) return;
    table_.resize(size);
    for (std::size_t m = 0; m < size; ++m) table_[m] = of_steps(double(m));
  }

  /// exp(-dt / tau) for dt >= 0 (ms).
  double operator()(double dt) const {
    if (!on_grid_) return std::exp(-dt * inv_tau_);
    // dt is a difference of two grid times: within rounding of m h
    const double m = std::nearbyint(dt * inv_h_);
    return m < double(table_.size()) ? table_[static_cast<std::size_t>(m)] : of_steps(m);
  }
  bool on_grid() const { return on_grid_; }

 private:
  double of_steps(double m) const { return std::exp(-(m * h_) * inv_tau_); }

  double inv_tau_ = 1.0, h_ = 1.0, inv_h_ = 1.0;
  bool on_grid_ = false;
  std::vector<double> table_;
};

}  // namespace apical
