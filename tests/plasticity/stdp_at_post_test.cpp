// Potentiation at post spikes: the target-major index (plasticity/stdp_at_post.hpp)
// visits each neuron's synapses with their groups' traces, whatever width its
// entries take, and the compact layout (16-bit targets, 2- or 4-byte entries) gives
// the same bits as the wide one. The rule's numbers against the direct
// computation: tests/plasticity/stdp_exact_test.cpp.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <tuple>
#include <vector>

#include "plasticity/stdp_at_post.hpp"
#include "plasticity/stdp_synapses.hpp"

using namespace apical;

namespace {

/// `sources` sources with `per_source` synapses each (delay 15 steps, one
/// group per source), onto targets (source * 7919 + i * 13) % neurons.
std::vector<synapse_store::entry> uniform_edges(std::uint32_t sources, std::uint32_t per_source, std::uint32_t neurons) {
  std::vector<synapse_store::entry> e;
  for (std::uint32_t s = 0; s < sources; ++s)
    for (std::uint32_t i = 0; i < per_source; ++i)
      e.push_back({s, (s * 7919 + i * 13) % neurons, 0.5f + 0.01f * float((s + i) % 17), 15, 0});
  return e;
}

/// One call of the potentiation callback.
using visit = std::tuple<std::uint32_t, double, double>;   // synapse, pre trace, log time

/// Every potentiation of a post spike of each neuron, through stdp_at_post,
/// after one pre spike per group at a group-dependent time.
std::vector<visit> visits(stdp_at_post& ap, const synapse_store& store, const std::vector<std::uint32_t>& target,
                          std::uint32_t neurons, stdp_at_post::layout layout) {
  std::vector<std::uint32_t> degree(neurons, 0);
  for (std::uint32_t n : target) ++degree[n];
  ap.reset([&](std::uint32_t j) { return target[j]; }, store, degree, 3, 16.8, 33.7, 0.1, layout);
  for (std::uint32_t g = 0; g < store.group_count(); ++g) ap.add_pre(g, 0.1 * double(g % 50));
  for (std::uint32_t n = 0; n < neurons; ++n) ap.on_post(n, 60, double(60) * 0.1);
  std::vector<visit> out;
  ap.end_step(65, [&](std::uint32_t j, double x, double t) { out.emplace_back(j, x, t); });
  return out;
}

/// The same visits computed here: each neuron's synapses in store order, x the
/// group's trace at the post spike (step 60), logged at step 66.
std::vector<visit> expected_visits(const synapse_store& store, const std::vector<std::uint32_t>& target,
                                   std::uint32_t neurons) {
  std::vector<std::uint32_t> group_of(target.size());
  for (std::uint32_t g = 0; g < store.group_count(); ++g)
    for (std::uint32_t j = store.group(g).begin; j < store.group(g).end; ++j) group_of[j] = g;
  std::vector<std::vector<std::uint32_t>> onto(neurons);
  for (std::uint32_t j = 0; j < target.size(); ++j) onto[target[j]].push_back(j);
  std::vector<visit> out;
  for (std::uint32_t n = 0; n < neurons; ++n)
    for (std::uint32_t j : onto[n])
      out.emplace_back(j, std::exp((0.1 * double(group_of[j] % 50) - 6.0) / 16.8), 6.6);
  return out;
}

void check_visits(const std::vector<visit>& got, const std::vector<visit>& want) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("visit " << i);
    CHECK(std::get<0>(got[i]) == std::get<0>(want[i]));
    CHECK(std::get<1>(got[i]) == doctest::Approx(std::get<1>(want[i])).epsilon(1e-14));
    CHECK(std::get<2>(got[i]) == doctest::Approx(std::get<2>(want[i])).epsilon(1e-14));
  }
}

std::vector<std::uint32_t> targets_of(const synapse_store& store) {
  std::vector<std::uint32_t> t(store.targets().begin(), store.targets().end());
  return t;
}

}  // namespace

TEST_CASE("stdp_at_post: a post spike visits its neuron's synapses in store order with their groups' traces") {
  const std::uint32_t neurons = 50;
  const synapse_store store = synapse_store::build(uniform_edges(40, 30, neurons), 40);
  const std::vector<std::uint32_t> target = targets_of(store);
  const std::vector<visit> want = expected_visits(store, target, neurons);
  stdp_at_post packed, offset, wide;
  check_visits(visits(packed, store, target, neurons, stdp_at_post::layout::automatic), want);
  CHECK(packed.entry_bytes() == 4);
  CHECK(packed.direct());
  check_visits(visits(offset, store, target, neurons, stdp_at_post::layout::offset), want);
  CHECK(offset.entry_bytes() == 4);
  CHECK_FALSE(offset.direct());
  check_visits(visits(wide, store, target, neurons, stdp_at_post::layout::wide), want);
  CHECK(wide.entry_bytes() == 8);
  CHECK(wide.direct());
  CHECK(wide.bytes() - packed.bytes() == 4 * target.size());
  // a group's sum alone (8 bytes) against its sum and first synapse (16)
  CHECK(offset.bytes() - packed.bytes() == 8 * store.group_count());
}

TEST_CASE("stdp_at_post: entries hold the offset in the group where the group and the synapse pass 32 bits") {
  // 65,536 groups of two synapses: groups need 16 bits, synapses 17, offsets 1
  const std::uint32_t neurons = 1000, sources = 65536;
  const synapse_store store = synapse_store::build(uniform_edges(sources, 2, neurons), sources);
  REQUIRE(store.group_count() == sources);
  const std::vector<std::uint32_t> target = targets_of(store);
  stdp_at_post ap;
  check_visits(visits(ap, store, target, neurons, stdp_at_post::layout::automatic), expected_visits(store, target, neurons));
  CHECK(ap.entry_bytes() == 4);
  CHECK_FALSE(ap.direct());
}

TEST_CASE("stdp_at_post: with compact rows, entries take 2 bytes where a group and its widest offset fit 16 bits") {
  // 40 groups of 30 (6 + 5 bits): 2 bytes, first synapses read from the rows;
  // 600 groups of 200 (10 + 8 bits): past 16, 4-byte (group, synapse) entries
  for (auto [sources, per_source] : {std::pair{40u, 30u}, std::pair{600u, 200u}}) {
    INFO(sources << " sources of " << per_source);
    const std::uint32_t neurons = 500;
    synapse_store store = synapse_store::build(uniform_edges(sources, per_source, neurons), sources);
    const std::vector<std::uint32_t> target = targets_of(store);
    const std::vector<visit> want = expected_visits(store, target, neurons);
    store.release_synapses();
    REQUIRE(store.compact_rows());
    REQUIRE(store.group_count() == sources);
    stdp_at_post ap, wide;
    check_visits(visits(ap, store, target, neurons, stdp_at_post::layout::automatic), want);
    check_visits(visits(wide, store, target, neurons, stdp_at_post::layout::wide), want);
    const bool fits = per_source == 30u;
    CHECK(ap.entry_bytes() == (fits ? 2u : 4u));
    CHECK(ap.direct() == !fits);
    // nothing but the entries differs: no per-group first synapse is added
    CHECK(wide.bytes() - ap.bytes() == (8 - ap.entry_bytes()) * target.size());
  }
}

TEST_CASE("stdp_at_post: entries take 8 bytes where a group and its widest offset pass 32 bits") {
  // 16,385 groups of one synapse and one of 131,073: offsets need 18 bits,
  // groups 15: 33 bits
  const std::uint32_t neurons = 1000, wide_source = 16385;
  std::vector<synapse_store::entry> e = uniform_edges(wide_source, 1, neurons);
  for (std::uint32_t i = 0; i < 131073; ++i) e.push_back({wide_source, i % neurons, 1.0f, 15, 0});
  const synapse_store store = synapse_store::build(std::move(e), wide_source + 1);
  REQUIRE(store.group_count() == wide_source + 1);
  const std::vector<std::uint32_t> target = targets_of(store);
  stdp_at_post ap;
  check_visits(visits(ap, store, target, neurons, stdp_at_post::layout::automatic), expected_visits(store, target, neurons));
  CHECK(ap.entry_bytes() == 8);
  CHECK(ap.direct());
}

namespace {

/// Drives an at_post block with a random sequence of pre spikes (onto its
/// groups) and post spikes (of `posts`), the same for every call with the same
/// arguments, and returns its weights followed by every input it delivered.
std::vector<double> drive(stdp_synapses& blk, std::uint32_t groups, std::uint32_t neurons,
                          const std::vector<std::uint32_t>& posts) {
  std::mt19937_64 rng(11);
  std::vector<double> in(neurons, 0.0), out;
  double* const receptors[4] = {in.data(), in.data(), in.data(), in.data()};
  std::bernoulli_distribution pre_fires(0.02), post_fires(0.01);
  for (step_t k = 0; k < 1000; ++k) {
    for (std::uint32_t g = 0; g < groups; ++g)
      if (pre_fires(rng)) blk.deliver(g, k, 0.0, receptors, nullptr);
    for (std::uint32_t n : posts)
      if (post_fires(rng)) blk.on_post(n, k, 0.0);
    blk.end_step(k);
  }
  out.assign(blk.weights().begin(), blk.weights().end());
  out.insert(out.end(), in.begin(), in.end());
  return out;
}

plasticity_params at_post_rule(weight_dependence dep) {
  plasticity_params p;
  p.dependence = dep;
  p.A_plus = 0.01;
  p.A_minus = 0.012;
  p.tau_plus = 16.8;
  p.tau_minus = 33.7;
  p.mu_plus = 0.4;
  p.mu_minus = 0.7;
  p.potentiate_at_post = true;
  return p;
}

}  // namespace

TEST_CASE("stdp_synapses: potentiation at post spikes gives the same bits with 16-bit or 32-bit targets and entries") {
  for (weight_dependence dep : {weight_dependence::additive, weight_dependence::multiplicative, weight_dependence::power_law})
    for (std::uint32_t neurons : {300u, 70000u})      // 16-bit targets, then targets past them
    for (std::uint32_t sources : {200u, 1100u}) {     // groups and offsets in 8 + 6 bits (2-byte entries), then 11 + 6
      INFO("dependence " << int(dep) << ", neurons " << neurons << ", sources " << sources);
      stdp_synapses compact(at_post_rule(dep), 0, synapse_store::build(uniform_edges(sources, 60, neurons), sources),
                            neurons, 0.1, true);
      stdp_synapses wide(at_post_rule(dep), 0, synapse_store::build(uniform_edges(sources, 60, neurons), sources), neurons,
                         0.1, false);
      const std::size_t synapses = sources * 60;
      std::vector<std::uint32_t> posts;   // the neurons with inputs, in order
      for (std::uint32_t j = 0; j < synapses; ++j) posts.push_back(compact.target(j));
      std::sort(posts.begin(), posts.end());
      posts.erase(std::unique(posts.begin(), posts.end()), posts.end());
      REQUIRE((posts.back() <= 0xFFFF) == (neurons == 300u));
      CHECK(compact.narrow() == (neurons == 300u));
      CHECK_FALSE(wide.narrow());
      for (std::uint32_t j = 0; j < synapses; ++j) REQUIRE(compact.target(j) == wide.target(j));
      // 2 bytes less a target where narrow, 4 or 6 less an index entry, and
      // a synapse offset per source (all with synapses) instead of a row entry
      // and a delay group
      REQUIRE(compact.store().group_count() == sources);
      CHECK(compact.index_entry_bytes() == (sources == 200u ? 2u : 4u));
      CHECK(wide.index_entry_bytes() == 8);
      CHECK(wide.bytes() - compact.bytes() ==
            ((compact.narrow() ? 2u : 0u) + 8u - compact.index_entry_bytes()) * synapses + sources * sizeof(delay_group));
      const std::vector<double> initial(compact.weights().begin(), compact.weights().end());
      const std::vector<double> a = drive(compact, sources, neurons, posts);
      const std::vector<double> b = drive(wide, sources, neurons, posts);
      REQUIRE(a.size() == b.size());
      CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
      std::size_t changed = 0;
      for (std::size_t j = 0; j < synapses; ++j) changed += a[j] != initial[j];
      CHECK(changed > synapses * 9 / 10);   // the rule did act
    }
}

TEST_CASE("stdp_at_post: post spikes in flight every step are dropped once done, and each still potentiates once") {
  // d_den = 3: a post spike stays in the list 6 steps, so at no step's end is
  // the whole list done; it must not grow with the run (it did: 16 bytes a
  // post spike) and must potentiate each spike's synapses exactly once
  const std::uint32_t neurons = 20;
  const synapse_store store = synapse_store::build(uniform_edges(10, 8, neurons), 10);
  const std::vector<std::uint32_t> target = targets_of(store);
  std::vector<std::uint32_t> degree(neurons, 0);
  for (std::uint32_t n : target) ++degree[n];
  stdp_at_post ap;
  ap.reset([&](std::uint32_t j) { return target[j]; }, store, degree, 3, 16.8, 33.7, 0.1);
  std::vector<int> visits_of(target.size(), 0);
  std::size_t bytes_after_warmup = 0;
  const step_t steps = 200000;
  for (step_t k = 0; k < steps; ++k) {
    ap.on_post(std::uint32_t(k % neurons), k, double(k) * 0.1);   // one post spike a step
    ap.end_step(k, [&](std::uint32_t j, double, double) { ++visits_of[j]; });
    if (k == 10000) bytes_after_warmup = ap.bytes();
  }
  CHECK(ap.bytes() == bytes_after_warmup);   // bounded: no growth after the first 10,000 steps
  // every post spike up to step steps - 6 potentiated each of its neuron's synapses once
  const step_t done = steps - 5;   // spikes of steps < done: potentiated at the end of step m + 5
  for (std::uint32_t j = 0; j < target.size(); ++j) {
    const step_t n = target[j];
    const step_t expected = (done - n + neurons - 1) / neurons;   // steps m < done with m % neurons == n
    CHECK(visits_of[j] == expected);
  }
}

TEST_CASE("stdp_synapses off the grid: potentiation at post spikes transmits the weights of NEST's order") {
  // pre and post spikes between grid points, offsets from {0, 1/4, 1/2, 3/4}
  // of a step so that many coincide (a pre and a post spike at the same time do
  // not pair); each step's pre spikes in time order, as the partition delivers
  // them, its post spikes in the neurons' order, not in time order. The two
  // orders apply the same updates to each synapse before each pre spike, so
  // every delivered weight agrees to rounding.
  for (weight_dependence dep : {weight_dependence::additive, weight_dependence::multiplicative, weight_dependence::power_law}) {
    INFO("dependence " << int(dep));
    const std::uint32_t sources = 40, neurons = 50;
    plasticity_params rule = at_post_rule(dep);
    stdp_synapses post(rule, 0, synapse_store::build(uniform_edges(sources, 20, neurons), sources), neurons, 0.1);
    rule.potentiate_at_post = false;
    stdp_synapses next(rule, 0, synapse_store::build(uniform_edges(sources, 20, neurons), sources), neurons, 0.1);
    post.set_on_grid(false);
    next.set_on_grid(false);
    CHECK(post.wants_time_order());
    CHECK_FALSE(next.wants_time_order());
    std::mt19937_64 rng(5);
    std::bernoulli_distribution pre_fires(0.03), post_fires(0.02);
    std::uniform_int_distribution<int> quarter(0, 3);
    std::vector<double> in(neurons, 0.0);
    double* const receptors[4] = {in.data(), in.data(), in.data(), in.data()};
    std::vector<offgrid_event> events;
    std::size_t compared = 0, worst = 0;
    double worst_rel = 0.0;
    for (step_t k = 0; k < 20000; ++k) {
      std::vector<std::pair<double, std::uint32_t>> pres;
      for (std::uint32_t g = 0; g < sources; ++g)
        if (pre_fires(rng)) pres.push_back({0.025 * quarter(rng), g});
      std::sort(pres.begin(), pres.end());
      for (auto [offset, g] : pres) {
        post.deliver(g, k, offset, receptors, &events);
        next.deliver(g, k, offset, receptors, &events);
        for (std::uint32_t j = post.store().group(g).begin; j < post.store().group(g).end; ++j) {
          const double a = post.weights()[j], b = next.weights()[j];
          // doctest's Approx(b).epsilon(1e-12), as stdp_exact_test: relative
          // to 1 + |w| (weights near w_min = 0 differ by rounding in absolute terms)
          const double rel = std::abs(a - b) / (1.0 + std::max(std::abs(a), std::abs(b)));
          if (rel > worst_rel) worst_rel = rel, worst = j;
          ++compared;
        }
      }
      for (std::uint32_t n = 0; n < neurons; ++n)
        if (post_fires(rng)) {
          const double offset = 0.025 * quarter(rng);
          post.on_post(n, k, offset);
          next.on_post(n, k, offset);
        }
      post.end_step(k);
      next.end_step(k);
    }
    INFO("synapse " << worst << ", largest difference " << worst_rel);
    CHECK(worst_rel <= 1e-12);
    CHECK(compared > 100000);
    std::size_t changed = 0;
    for (double w : post.weights()) changed += std::abs(w - 0.5) > 0.05;
    CHECK(changed > post.weights().size() / 2);   // the rule did act
  }
}
