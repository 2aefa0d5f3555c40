#include "core/distribution.hpp"

#include <cmath>
#include <random>

#include <fmt/format.h>

namespace apical {

double distribution::min_value() const {
  switch (type) {
    case kind::constant: return value;
    case kind::uniform: return low;
    case kind::normal: return low;
  }
  return value;
}

double distribution::max_value() const {
  switch (type) {
    case kind::constant: return value;
    case kind::uniform: return high;
    case kind::normal: return high;
  }
  return value;
}

double distribution::expectation() const {
  switch (type) {
    case kind::constant: return value;
    case kind::uniform: return 0.5 * (low + high);
    case kind::normal: return mean;   // truncation shift ignored: an estimate
  }
  return value;
}

std::string distribution::check() const {
  switch (type) {
    case kind::constant:
      if (!std::isfinite(value)) return "must be finite";
      return {};
    case kind::uniform:
      if (!std::isfinite(low) || !std::isfinite(high)) return "uniform needs finite 'low' and 'high'";
      if (!(low < high)) return fmt::format("uniform needs low < high (got low={}, high={})", low, high);
      return {};
    case kind::normal:
      if (!std::isfinite(mean)) return "normal needs a finite 'mean'";
      if (!(std >= 0.0) || !std::isfinite(std)) return fmt::format("normal needs 'std' >= 0 (got {})", std);
      if (!(low < high)) return fmt::format("normal needs low < high (got low={}, high={})", low, high);
      if (std == 0.0 && (mean < low || mean > high)) return "normal with std 0 has its mean outside [low, high]";
      // The redraw loop must terminate in reasonable time: refuse bounds that
      // keep less than 1e-6 of the mass.
      if (std > 0.0) {
        const double a = (low - mean) / std, b = (high - mean) / std;
        const double mass = 0.5 * (std::erfc(-b / std::sqrt(2.0)) - std::erfc(-a / std::sqrt(2.0)));
        if (mass < 1e-6) return "normal bounds [low, high] keep almost none of the distribution";
      }
      return {};
  }
  return {};
}

double distribution::draw(stream_engine& rng) const {
  switch (type) {
    case kind::constant: return value;
    case kind::uniform: return low + (high - low) * rng.uniform();
    case kind::normal: {
      for (;;) {   // redraw outside [low, high] (NEST normal_clipped)
        const double x = mean + std * rng.normal();
        if (x >= low && x <= high) return x;
      }
    }
  }
  return value;
}

}  // namespace apical
