#pragma once
// exp(-dt / tau) for the interval between two spikes, as STDP's traces decay.
// When both spikes lie on the h grid (grid neuron models and sources), dt is
// a whole number m of steps and the decay is the propagator exp(-m h / tau),
// which NEST also precomputes; a table of its first values replaces the
// std::exp calls that took 40% of the plastic synapses' time in plastic COBA
// (bench/RESULTS.md). Longer intervals (a slow neuron's: the std::exp calls
// for them still took 15% of plastic COBA's delivery) multiply two table
// values, exp(-(q N + r) h / tau) = exp(-q N h / tau) exp(-r h / tau), as
// accurate as the direct value (whose argument's rounding already gives a
// relative error of x eps, x = m h / tau). Past the coarse table (q N h of seconds) they
// compute the expression. Pairs with an off-grid spike (precise models) call
// std::exp as before.
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "core/vector_math.hpp"

namespace apical {

class grid_decay {
 public:
  grid_decay() = default;
  /// tau, h in ms; `on_grid`: every spike this decay is used for is on the h grid.
  /// `size` (a power of two) and `coarse`: the tables' lengths.
  grid_decay(double tau, double h, bool on_grid, std::size_t size = 4096, std::size_t coarse = 64) {
    if (!std::has_single_bit(size) || coarse == 0)
      throw std::invalid_argument("grid_decay: table size not a power of two, or no coarse table");
    f_ = {nullptr, nullptr, std::int64_t(size) - 1, std::countr_zero(size), 1.0 / h, h, 1.0 / tau,
          double(size) * double(coarse), on_grid, false};
    if (!on_grid) return;
    table_.resize(size);
    for (std::size_t m = 0; m < size; ++m) table_[m] = f_.of_steps(double(m));
    coarse_.resize(coarse);
    for (std::size_t q = 0; q < coarse; ++q) coarse_[q] = f_.of_steps(double(q * size));
    f_.table = table_.data();
    f_.coarse = coarse_.data();
  }
  grid_decay(const grid_decay& o) : f_(o.f_), table_(o.table_), coarse_(o.coarse_) { repoint(); }
  grid_decay& operator=(const grid_decay& o) {
    f_ = o.f_, table_ = o.table_, coarse_ = o.coarse_;
    repoint();
    return *this;
  }

  /// The function itself: constants and pointers to the tables, to be copied
  /// into a local before a loop (a member's doubles are reloaded after every
  /// store to a double, such as a weight's).
  struct function {
    const double* table;
    const double* coarse;
    std::int64_t mask;   // N - 1
    int shift;           // log2 N
    double inv_h, h, inv_tau;
    double limit;        // N times the coarse table's length: steps the tables cover
    bool on_grid;
    bool exp_twin;       // off the grid: exp_vec (whose vector twin a caller uses too), not std::exp

    /// exp(-dt / tau) for dt >= 0 (ms).
    double operator()(double dt) const {
      if (!on_grid) return exp_twin ? exp_vec(-dt * inv_tau) : std::exp(-dt * inv_tau);
      // dt is a difference of two grid times: within rounding of m h.
      // Without a branch between the two tables (an interval beyond the first
      // is common and unpredictable for a slow neuron's synapses): coarse[0]
      // is exactly 1, so within the first table the product is its value.
      const double m = std::nearbyint(dt * inv_h);
      if (!(m < limit)) return of_steps(m);
      const auto steps = static_cast<std::int64_t>(m);
      return coarse[steps >> shift] * table[steps & mask];
    }
    double of_steps(double m) const { return std::exp(-(m * h) * inv_tau); }
  };
  const function& fn() const { return f_; }

  /// exp(-dt / tau) for dt >= 0 (ms).
  double operator()(double dt) const { return f_(dt); }
  bool on_grid() const { return f_.on_grid; }
  /// Off the grid, exp_vec instead of std::exp: for a caller that computes
  /// some of its decays with exp_vec8 and needs the same bits in both.
  void use_exp_vec() { f_.exp_twin = true; }

 private:
  void repoint() {
    f_.table = table_.empty() ? nullptr : table_.data();
    f_.coarse = coarse_.empty() ? nullptr : coarse_.data();
  }

  function f_{nullptr, nullptr, 0, 0, 1.0, 1.0, 1.0, 0.0, false, false};
  std::vector<double> table_;    // exp(-m h / tau), m < N
  std::vector<double> coarse_;   // exp(-q N h / tau)
};

}  // namespace apical
