#include "neurons/parameters.hpp"

#include <cmath>

#include <fmt/format.h>

namespace apical {

std::optional<param_error> require_positive(const char* key, double v, const char* unit) {
  if (!(v > 0.0) || !std::isfinite(v)) return param_error{key, fmt::format("must be > 0 {} (got {})", unit, v)};
  return std::nullopt;
}

std::optional<param_error> require_non_negative(const char* key, double v, const char* unit) {
  if (!(v >= 0.0) || !std::isfinite(v)) return param_error{key, fmt::format("must be >= 0 {} (got {})", unit, v)};
  return std::nullopt;
}

std::optional<param_error> require_finite(const char* key, double v) {
  if (!std::isfinite(v)) return param_error{key, fmt::format("must be finite (got {})", v)};
  return std::nullopt;
}

}  // namespace apical
