#include <doctest/doctest.h>

#include <cmath>
#include <type_traits>

#include "plasticity/stdp_update.hpp"

using namespace apical;

namespace {

/// facilitate(w, r1, o2) and depress(w, o1, r2) of the update type that
/// stdp_update::visit picks for p.
struct applied {
  double up, down;
};
applied apply(const plasticity_params& p, double w, double trace, double other) {
  return stdp_update::visit(p, [&](const auto& u) { return applied{u.facilitate(w, trace, other), u.depress(w, trace, other)}; });
}

}  // namespace

TEST_CASE("stdp_update: each rule's weight change is the formula of plasticity/stdp.hpp, clipped to [w_min, w_max]") {
  plasticity_params p;
  p.w_min = 1.0;
  p.w_max = 5.0;
  p.A_plus = 0.1;
  p.A_minus = 0.12;
  const double range = 4.0, w = 3.0, x = 0.7, y = 0.4;

  SUBCASE("additive") {
    p.dependence = weight_dependence::additive;
    const applied a = apply(p, w, x, 0.0);
    CHECK(a.up == doctest::Approx(w + range * 0.1 * x).epsilon(1e-15));
    CHECK(a.down == doctest::Approx(w - range * 0.12 * x).epsilon(1e-15));
    CHECK(apply(p, 4.9, 1.0, 0.0).up == 5.0);     // clipped at w_max
    CHECK(apply(p, 1.1, 1.0, 0.0).down == 1.0);   // clipped at w_min
  }
  SUBCASE("multiplicative (van Rossum 2000)") {
    p.dependence = weight_dependence::multiplicative;
    const applied a = apply(p, w, y, 0.0);
    CHECK(a.up == doctest::Approx(w + 0.1 * (5.0 - w) * y).epsilon(1e-15));
    CHECK(a.down == doctest::Approx(w - 0.12 * (w - 1.0) * y).epsilon(1e-15));
  }
  SUBCASE("power law (Guetig 2003)") {
    p.dependence = weight_dependence::power_law;
    p.mu_plus = 0.5;
    p.mu_minus = 2.0;
    const applied a = apply(p, w, x, 0.0);
    const double wt = (w - 1.0) / range;   // w~
    CHECK(a.up == doctest::Approx(w + range * 0.1 * std::pow(1.0 - wt, 0.5) * x).epsilon(1e-15));
    CHECK(a.down == doctest::Approx(w - range * 0.12 * std::pow(wt, 2.0) * x).epsilon(1e-15));
  }
  SUBCASE("triplet (Pfister & Gerstner 2006, eqs. 3-4)") {
    p.kind = plasticity_kind::triplet;
    p.A3_plus = 0.05;
    p.A3_minus = 0.02;
    const double other = 1.3;   // o2 for potentiation, r2 for depression
    const applied a = apply(p, w, x, other);
    CHECK(a.up == doctest::Approx(w + x * (0.1 + 0.05 * other)).epsilon(1e-15));
    CHECK(a.down == doctest::Approx(w - x * (0.12 + 0.02 * other)).epsilon(1e-15));
  }
  SUBCASE("stdp_dopamine's eligibility: unbounded") {
    p.kind = plasticity_kind::dopamine;
    const applied a = apply(p, 100.0, x, 0.0);
    CHECK(a.up == doctest::Approx(100.0 + 0.1 * x).epsilon(1e-15));
    CHECK(apply(p, -100.0, x, 0.0).down == doctest::Approx(-100.0 - 0.12 * x).epsilon(1e-15));
  }
}
