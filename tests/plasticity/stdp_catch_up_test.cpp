// STDP in NEST's order with the catch-up of long-silent groups
// (stdp_synapses::catch_up): the weights, the inputs delivered and the
// weights read between pre spikes are bit for bit those without it, for every
// pair and triplet variant, on the grid (quiet pass, decay tables) and off it;
// the post-spike history stays bounded where without the catch-up it keeps
// every spike since a silent input's last one; a checkpoint taken while a
// group holds caught-up weights continues bit for bit.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/model_file.hpp"
#include "core/overrides.hpp"
#include "core/state_io.hpp"
#include "helpers.hpp"
#include "plasticity/stdp_synapses.hpp"

using namespace apical;

namespace {

constexpr std::uint32_t sources = 40, per_group = 12, neurons = 60;
constexpr step_t steps = 50000;   // 5 s at h = 0.1 ms

/// Two delay groups per source (10 and 15 steps: dendritic delays of 10 and
/// 15, so the groups' post frames differ), 12 synapses each, onto
/// (source * 7 + i * 5) % neurons.
std::vector<synapse_store::entry> edges() {
  std::vector<synapse_store::entry> e;
  for (std::uint32_t s = 0; s < sources; ++s)
    for (std::uint16_t delay : {10, 15})
      for (std::uint32_t i = 0; i < per_group; ++i)
        e.push_back({s, (s * 7 + i * 5 + delay) % neurons, 0.3f + 0.02f * float((s + i) % 19), delay, 0});
  return e;
}

/// A fixed pseudo-random draw for (a, b, c) in [0, 1): the same at any call,
/// so that a resumed drive sees the same events (splitmix64).
double draw(std::uint64_t a, std::uint64_t b, std::uint64_t c) {
  std::uint64_t x = a * 0x9E3779B97F4A7C15ull ^ b * 0xC2B2AE3D27D4EB4Full ^ c * 0x165667B19E3779F9ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  x ^= x >> 31;
  return double(x >> 11) * 0x1.0p-53;
}

/// Whether source s spikes in step k: sources 0-9 at ~30 Hz throughout; 10-19
/// until 0.5 s and again from 4.01 s (10-14: most of their targets have not
/// fired since the catch-up at the end of 4 s, the quiet pass's case) or 4.2 s
/// (15-19: several post spikes since), silent long enough to be caught up
/// twice, at the ends of 2 s and 4 s; 20-29 only from 4.5 s; 30-39 never.
bool pre_fires(std::uint32_t s, step_t k) {
  const bool on = s < 10 || (s < 15 && (k < 5000 || k >= 40100)) || (s < 20 && s >= 15 && (k < 5000 || k >= 42000)) ||
                  (s < 30 && s >= 20 && k >= 45000);
  return on && draw(1, s, std::uint64_t(k)) < 0.003;
}

/// Drives steps [from, to) of `blk`: each source's groups are delivered
/// `delay` steps after its spike, then the post spikes (~20 Hz each), then
/// end_step. Appends every step's inputs (summed) and, every 500 steps, the
/// weights to `out`; counts the post spikes of each step in `posts`.
void drive(stdp_synapses& blk, step_t from, step_t to, std::vector<double>& out, std::vector<std::uint32_t>& posts) {
  std::vector<double> in(neurons, 0.0);
  double* const receptors[2] = {in.data(), in.data()};
  const synapse_store& store = blk.store();
  for (step_t k = from; k < to; ++k) {
    std::fill(in.begin(), in.end(), 0.0);
    for (std::uint32_t g = 0; g < store.group_count(); ++g) {
      const step_t spike = k - store.group(g).delay;
      if (spike >= 0 && pre_fires(g / 2, spike)) blk.deliver(g, k, 0.0, receptors, nullptr);
    }
    std::uint32_t fired = 0;
    for (std::uint32_t n = 0; n < neurons; ++n)
      if (draw(2, n, std::uint64_t(k)) < 0.002) {
        blk.on_post(n, k, 0.0);
        ++fired;
      }
    posts[std::size_t(k)] = fired;
    blk.end_step(k);
    double sum = 0.0;
    for (double x : in) sum += x;
    out.push_back(sum);
    if ((k + 1) % 500 == 0) out.insert(out.end(), blk.weights().begin(), blk.weights().end());
  }
}

struct variant {
  const char* name;
  plasticity_kind kind;
  weight_dependence dependence;
  stdp_pairing pairing;
};

plasticity_params rule_of(const variant& v) {
  plasticity_params p;
  p.kind = v.kind;
  p.dependence = v.dependence;
  p.pairing = v.pairing;
  // a pre trace that lasts seconds: the potentiations a catch-up applies (up
  // to seconds after the last pre spike) change the weights' bits
  p.tau_plus = 400.0;
  p.tau_minus = 33.7;
  if (v.kind == plasticity_kind::triplet) {   // Pfister & Gerstner's visual cortex, all-to-all
    p.A_plus = 5e-10;
    p.A3_plus = 6.2e-4;
    p.A_minus = 7e-3;
    p.A3_minus = 2.3e-4;
  } else {
    p.A_plus = 0.001;
    p.A_minus = 0.012;
    p.mu_plus = 0.4;
    p.mu_minus = 0.7;
  }
  return p;
}

stdp_synapses block(const variant& v, bool on_grid) {
  stdp_synapses b(rule_of(v), 0, synapse_store::build(edges(), sources), neurons, 0.1);
  b.set_on_grid(on_grid);
  return b;
}

const variant variants[] = {
    {"pair additive", plasticity_kind::pair, weight_dependence::additive, stdp_pairing::all_to_all},
    {"pair multiplicative", plasticity_kind::pair, weight_dependence::multiplicative, stdp_pairing::all_to_all},
    {"pair power law", plasticity_kind::pair, weight_dependence::power_law, stdp_pairing::all_to_all},
    {"pair nearest", plasticity_kind::pair, weight_dependence::additive, stdp_pairing::nearest},
    {"triplet all-to-all", plasticity_kind::triplet, weight_dependence::additive, stdp_pairing::all_to_all},
    {"triplet nearest", plasticity_kind::triplet, weight_dependence::additive, stdp_pairing::nearest},
};

}  // namespace

TEST_CASE("STDP catch-up: the same bits as without it, and a bounded post-spike history") {
  const test::flag_guard restore{stdp_catch_up_enabled};
  for (const variant& v : variants)
    for (bool on_grid : {true, false}) {
      const std::string where = std::string(v.name) + (on_grid ? ", on the grid" : ", off the grid");
      INFO(where);
      stdp_synapses with = block(v, on_grid), without = block(v, on_grid);
      REQUIRE(with.store().group_count() == 2 * sources);
      for (std::uint32_t g = 0; g < 2 * sources; ++g) REQUIRE(with.store().group(g).delay == (g % 2 ? 15 : 10));
      const std::size_t empty = with.bytes();
      std::vector<double> a, b;
      std::vector<std::uint32_t> posts(steps);
      stdp_catch_up_enabled = true;
      drive(with, 0, steps, a, posts);
      stdp_catch_up_enabled = false;
      drive(without, 0, steps, b, posts);
      REQUIRE(a.size() == b.size());
      CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
      // the rule acted: the weights moved, those of the late sources too
      const stdp_synapses fresh = block(v, on_grid);
      const std::vector<double> initial(fresh.weights().begin(), fresh.weights().end());
      std::size_t changed = 0, late_changed = 0;
      for (std::size_t j = 0; j < initial.size(); ++j) {
        changed += with.weights()[j] != initial[j];
        late_changed += j >= 20 * 2 * per_group && j < 30 * 2 * per_group && with.weights()[j] != initial[j];
      }
      CHECK(changed > initial.size() / 2);
      CHECK(late_changed > 0);
      // without the catch-up the never-firing sources 30-39 keep every post
      // spike of their targets; with it the history holds at most the post
      // spikes of the last catch_up_every + catch_up_after ms plus the
      // dendritic delays (32-byte entries, one more per neuron kept for
      // depression), and the caught-up weights of at most every group
      std::size_t all = 0, recent = 0;
      const step_t window = step_t((stdp_synapses::catch_up_every + stdp_synapses::catch_up_after) / 0.1) + 2 * 15 + 1;
      for (step_t k = 0; k < steps; ++k) {
        all += posts[std::size_t(k)];
        recent += k >= steps - window ? posts[std::size_t(k)] : 0;
      }
      const std::size_t entry = sizeof(post_archive::entry);
      CHECK(without.bytes() - empty >= all * entry * 9 / 10);
      CHECK(with.bytes() - empty <= (recent + neurons) * entry + 2 * sources * per_group * sizeof(double));
    }
}

TEST_CASE("STDP catch-up: a checkpoint taken while groups hold caught-up weights continues bit for bit") {
  const test::flag_guard restore{stdp_catch_up_enabled};
  stdp_catch_up_enabled = true;
  for (const variant& v : {variants[0], variants[4]}) {
    const std::string name = v.name;
    INFO(name);
    // sources 10-19 have been silent since 0.5 s: at the catch-up at the end
    // of 2 s they take the potentiations since, held until their spikes from 4.2 s
    const step_t cut = 25000;
    stdp_synapses straight = block(v, true), first = block(v, true), resumed = block(v, true);
    std::vector<double> a, b, unused;
    std::vector<std::uint32_t> posts(steps);
    drive(straight, 0, steps, a, posts);
    drive(first, 0, cut, unused, posts);
    CHECK(first.caught_groups() >= 10);   // sources 10-19's groups, at least
    std::vector<std::byte> bytes;
    state_io out = state_io::saver(bytes);
    first.serialize(out);
    state_io in = state_io::loader(bytes);
    resumed.serialize(in);
    CHECK(in.at_end());
    drive(resumed, cut, steps, b, posts);
    REQUIRE(b.size() <= a.size());
    // the straight run's record from the cut on: one input sum a step, the weights every 500 steps
    const std::size_t skip = a.size() - b.size();
    CHECK(skip == std::size_t(cut) + std::size_t(cut / 500) * 2 * sources * per_group);
    CHECK(std::memcmp(a.data() + skip, b.data(), b.size() * sizeof(double)) == 0);
  }
}

TEST_CASE("STDP catch-up: plastic COBA's spikes and weights are those without it") {
  // 2.1 s: the catch-ups at the ends of 1 s (the E neurons yet to fire) and
  // 2 s (those silent since before 1 s, whose synapses then hold weights)
  // catch-ups belong to NEST's order (the model file potentiates at post spikes)
  const network_spec spec = load_model_file(test::source_path("models/coba_stdp.toml"),
                                            {parse_override("simulation.duration=2100"),
                                             parse_override("projection.EE.plasticity.potentiation=at_next_pre")});
  const test::flag_guard restore{stdp_catch_up_enabled};
  stdp_catch_up_enabled = true;
  simulation with(spec);
  with.run(spec.sim.duration);
  stdp_catch_up_enabled = false;
  simulation without(spec);
  without.run(spec.sim.duration);
  test::check_same_spikes(with, without, 1000);
  const auto a = with.plastic_weights(), b = without.plastic_weights();
  REQUIRE(a.size() == 1);
  REQUIRE(b.size() == 1);
  CHECK(weight_hash(a) == weight_hash(b));
}

TEST_CASE("STDP with one delay: compact rows give the bits of delay groups, with sources that reach nothing here") {
  // sources 0-1 and every s % 7 == 3 have no synapse onto this partition, so
  // the compact rows (one offset per source of [2, 40)) hold empty groups,
  // which the catch-up must pass over; one delay, 12 synapses a source
  std::vector<synapse_store::entry> e;
  for (std::uint32_t s = 2; s < sources; ++s)
    if (s % 7 != 3)
      for (std::uint32_t i = 0; i < per_group; ++i)
        e.push_back({s, (s * 7 + i * 5) % neurons, 0.3f + 0.02f * float((s + i) % 19), 10, 0});
  const test::flag_guard restore{stdp_catch_up_enabled};
  stdp_catch_up_enabled = true;
  for (const variant& v : variants)
    for (bool at_post : {false, true}) {
      if (at_post && v.kind != plasticity_kind::pair) continue;   // potentiation at post spikes: the pair rule
      const std::string where = std::string(v.name) + (at_post ? ", at post spikes" : ", in NEST's order");
      INFO(where);
      plasticity_params rule = rule_of(v);
      rule.potentiate_at_post = at_post;
      stdp_synapses compact(rule, 0, synapse_store::build(std::vector(e), sources), neurons, 0.1, true);
      stdp_synapses groups(rule, 0, synapse_store::build(std::vector(e), sources), neurons, 0.1, false);
      REQUIRE(compact.store().group_count() == sources - 2);
      REQUIRE(groups.store().group_count() == sources - 2 - 6);   // 3, 10, 17, 24, 31 and 38 reach nothing
      // rows: 41 entries and 32 groups against 39 offsets
      CHECK(groups.store().bytes() - compact.store().bytes() == 32 * sizeof(delay_group) + (41 - 39) * 4);
      std::vector<double> a, b;
      for (stdp_synapses* blk : {&compact, &groups}) {
        std::vector<double>& out = blk == &compact ? a : b;
        std::vector<double> in(neurons, 0.0);
        double* const receptors[2] = {in.data(), in.data()};
        for (step_t k = 0; k < steps; ++k) {
          std::fill(in.begin(), in.end(), 0.0);
          for (std::uint32_t s = 0; s < sources; ++s)
            if (k >= 10 && pre_fires(s, k - 10))
              for (auto [g, last] = blk->store().row(s); g < last; ++g) blk->deliver(g, k, 0.0, receptors, nullptr);
          for (std::uint32_t n = 0; n < neurons; ++n)
            if (draw(2, n, std::uint64_t(k)) < 0.002) blk->on_post(n, k, 0.0);
          blk->end_step(k);
          for (double x : in) out.push_back(x);
        }
        out.insert(out.end(), blk->weights().begin(), blk->weights().end());
      }
      REQUIRE(a.size() == b.size());
      CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
      std::size_t changed = 0;
      for (std::size_t j = 0; j < e.size(); ++j) changed += a[a.size() - e.size() + j] != double(e[j].weight);
      CHECK(changed > e.size() / 2);   // the rule acted
    }
}
