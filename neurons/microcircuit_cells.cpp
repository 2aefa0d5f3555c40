#include "neurons/microcircuit_cells.hpp"

#include <fmt/format.h>

namespace apical {

std::optional<param_error> microcircuit_params::validate() const {
  for (auto [k, v] : {std::pair{"g_lk", g_lk}, {"g_B", g_B}, {"g_D", g_D}, {"gamma", gamma}, {"beta", beta}})
    if (auto e = require_positive(k, v, "")) return e;
  for (auto [k, v] : {std::pair{"g_A", g_A}, {"g_som", g_som}, {"g_som_I", g_som_I}})
    if (auto e = require_non_negative(k, v, "")) return e;
  for (auto [k, v] : {std::pair{"E_exc", E_exc}, {"E_inh", E_inh}, {"theta", theta}})
    if (auto e = require_finite(k, v)) return e;
  if (!(E_exc > E_inh)) return param_error{"E_exc", fmt::format("must be above E_inh = {} (got {})", E_inh, E_exc)};
  return std::nullopt;
}

}  // namespace apical
