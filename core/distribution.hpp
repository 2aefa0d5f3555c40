#pragma once
// Distributions of per-synapse and per-neuron values (weights, delays, initial
// state): constant, uniform and normal. The normal is NEST's `normal_clipped`:
// draws outside [low, high] are redrawn, so the sign of a weight is kept and no
// delay falls below the step (Potjans & Diesmann 2014 use it this way).
#include <limits>
#include <string>

#include "core/rng.hpp"

namespace apical {

struct distribution {
  enum class kind { constant, uniform, normal };
  kind type = kind::constant;
  double value = 0.0;   ///< constant
  double low = -std::numeric_limits<double>::infinity();   ///< uniform / normal bound
  double high = std::numeric_limits<double>::infinity();   ///< uniform / normal bound
  double mean = 0.0;    ///< normal
  double std = 0.0;     ///< normal

  static distribution constant_of(double v) {
    distribution d;
    d.value = v;
    return d;
  }
  static distribution uniform_of(double low, double high) {
    distribution d;
    d.type = kind::uniform;
    d.low = low;
    d.high = high;
    return d;
  }
  /// Normal, redrawn outside [low, high].
  static distribution normal_of(double mean, double std, double low = -std::numeric_limits<double>::infinity(),
                                double high = std::numeric_limits<double>::infinity()) {
    distribution d;
    d.type = kind::normal;
    d.mean = mean;
    d.std = std;
    d.low = low;
    d.high = high;
    return d;
  }
  /// Smallest and largest value a draw can take.
  double min_value() const;
  double max_value() const;
  /// Expected value (for memory and rate estimates).
  double expectation() const;
  /// Empty when valid, else what is wrong.
  std::string check() const;
  double draw(stream_engine& rng) const;
};

}  // namespace apical
