#include "core/simulation.hpp"

#include <algorithm>
#include <cstring>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <tuple>

#include <fmt/format.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "core/model_file.hpp"
#include "core/phase_clock.hpp"
#include "core/spike_merge.hpp"
#include "core/window_team.hpp"
#include "neurons/registry.hpp"
#include "neurons/pyramidal_2c.hpp"
#include "plasticity/stdp.hpp"
#include "plasticity/stdp_synapses.hpp"
#include "plasticity/urbanczik_synapses.hpp"
#include "neurons/stimuli.hpp"

namespace apical {

namespace {
using clock_type = std::chrono::steady_clock;
double seconds_since(clock_type::time_point t0) { return std::chrono::duration<double>(clock_type::now() - t0).count(); }

/// Runs f(i) for i in [0, n) on the arena's threads, or inline for one thread
/// (construction; the run loop's threads are core/window_team.hpp's).
template <class F>
void for_each_index(tbb::task_arena& arena, int threads, std::size_t n, F&& f) {
  if (threads <= 1) {
    for (std::size_t i = 0; i < n; ++i) f(i);
    return;
  }
  arena.execute([&] { tbb::parallel_for(std::size_t(0), n, [&](std::size_t i) { f(i); }, tbb::simple_partitioner()); });
}
}  // namespace

simulation::simulation(network_spec spec) : spec_(std::move(spec)) {}
simulation::~simulation() = default;

void simulation::build() {
  if (built_) return;
  const auto t0 = clock_type::now();
  const double h = spec_.sim.resolution;
  const std::uint64_t seed = spec_.sim.seed;
  const int threads = std::max(1, spec_.sim.threads);

  // populations, laid out in one global id space in file order
  for (std::size_t i = 0; i < spec_.populations.size(); ++i) {
    const auto& ps = spec_.populations[i];
    pops_.push_back(make_population(ps, h, seed, i));
    pop_info_.push_back({ps.name, ps.model, static_cast<std::uint32_t>(total_nodes_), static_cast<std::uint32_t>(ps.size)});
    spike_log log;
    log.population = ps.name;
    log.first = static_cast<std::uint32_t>(total_nodes_);
    log.size = static_cast<std::uint32_t>(ps.size);
    spike_logs_.push_back(std::move(log));
    total_nodes_ += ps.size;
  }
  if (total_nodes_ >= (std::uint64_t{1} << 32)) throw std::invalid_argument("more than 2^32 nodes");
  auto pop_index = [&](const std::string& name) {
    for (std::size_t i = 0; i < pop_info_.size(); ++i)
      if (pop_info_[i].name == name) return i;
    throw std::invalid_argument("no population named '" + name + "'");
  };
  set_initial_state();

  // partitions: contiguous ranges of one population, sized by estimated cost
  std::vector<double> cost(pops_.size());
  for (std::size_t i = 0; i < pops_.size(); ++i) cost[i] = double(pop_info_[i].size) * pops_[i]->cost();
  for (const auto& pr : spec_.projections) {
    const auto& pre = *spec_.find(pr.source);
    const auto& post = *spec_.find(pr.target);
    const double n = expected_synapses(pr.rule, pr.pre_count(pre.size), pr.post_count(post.size), pr.same_nodes());
    cost[pop_index(pr.target)] += (pr.plasticity.plastic() ? 0.3 : 0.05) * n;
  }
  // A partition also pays per presynaptic neuron: every spike of a source that
  // projects into its population costs it a row lookup, a queue entry and the
  // start of a row, whatever the partition's size. Fitted to COBA 64k on 2
  // threads (bench/RESULTS.md): 0.25 per source neuron in these units (0.5
  // before rows were prefetched 8 cache lines deep).
  std::vector<double> overhead(pops_.size(), 0.0);
  for (const auto& pr : spec_.projections)
    overhead[pop_index(pr.target)] += 0.25 * double(pr.pre_count(spec_.find(pr.source)->size));
  // The plan: a list of (population, range) partitions, each in a group; a
  // thread runs one group at a time. All ranks compute the same plan and own
  // contiguous blocks of groups; results do not depend on the plan.
  struct planned {
    std::size_t pop;
    std::uint32_t begin, end;
    std::size_t group;
  };
  std::vector<planned> plan;
  const double total_cost = std::accumulate(cost.begin(), cost.end(), 0.0);
  if (spec_.sim.partitions > 0) {
    // explicit: split each population into about partitions * its cost share,
    // every partition its own group (scheduled dynamically)
    for (std::size_t i = 0; i < pops_.size(); ++i) {
      const std::uint32_t n = pop_info_[i].size;
      std::uint32_t parts = total_cost > 0 ? static_cast<std::uint32_t>(std::llround(spec_.sim.partitions * cost[i] / total_cost)) : 1;
      parts = std::clamp<std::uint32_t>(parts, 1, std::max<std::uint32_t>(n, 1));
      const std::uint32_t chunk = (n + parts - 1) / parts;
      for (std::uint32_t b = 0; b < n; b += chunk) plan.push_back({i, b, std::min(n, b + chunk), plan.size()});
    }
  } else {
    // automatic: cut the populations, laid end to end by cost, into one
    // equal-cost group per thread (and rank); a cut inside a population splits
    // it, so a group holds one partition per population it touches, and each
    // partition adds its population's overhead to its group. On Brunel with 2
    // threads this replaced 3 + 1 equal-size partitions per population (7%
    // imbalance between the threads); counting the overhead took COBA 64k's
    // from 20% to 1% (bench/RESULTS.md).
    if (layout_groups_ == 0) layout_groups_ = std::size_t(threads) * std::size_t(comm_.size());
    const std::size_t groups = layout_groups_;
    // the target cost per group counts the overhead of every partition, and a
    // cut makes one more: a few passes settle the count
    double pieces_overhead = std::accumulate(overhead.begin(), overhead.end(), 0.0);
    for (int pass = 0; pass < 4; ++pass) {
      plan.clear();
      const double target = (total_cost + pieces_overhead) / double(groups);
      std::size_t g = 0;
      double acc = 0;   // cost of group g so far
      double overhead_sum = 0;
      for (std::size_t i = 0; i < pops_.size(); ++i) {
        const std::uint32_t n = pop_info_[i].size;
        const double per = n > 0 ? cost[i] / n : 0.0;
        std::uint32_t b = 0;
        while (b < n) {
          // no room left in this group for a piece of this population
          if (g + 1 < groups && acc > 0 && acc + overhead[i] + per > target) {
            ++g;
            acc = 0;
          }
          acc += overhead[i];
          overhead_sum += overhead[i];
          std::uint32_t e = n;
          if (g + 1 < groups && per > 0) {
            const double x = std::round(double(b) + (target - acc) / per);
            e = static_cast<std::uint32_t>(std::clamp(x, double(b + 1), double(n)));
          }
          plan.push_back({i, b, e, g});
          acc += per * double(e - b);
          if (e < n) {   // cut inside the population: the group is full
            ++g;
            acc = 0;
          }
          b = e;
        }
      }
      if (overhead_sum == pieces_overhead) break;
      pieces_overhead = overhead_sum;
    }
  }
  const std::size_t n_groups = plan.empty() ? 0 : plan.back().group + 1;
  group_begin_.clear();
  for (const planned& pl : plan) {
    const auto owner = static_cast<int>(pl.group * std::size_t(comm_.size()) / std::max<std::size_t>(n_groups, 1));
    if (owner != comm_.rank()) continue;
    if (group_begin_.empty() || group_of_.back() != pl.group) {
      group_begin_.push_back(partitions_.size());
      group_of_.push_back(pl.group);
    }
    partitions_.push_back(std::make_unique<partition>(pops_[pl.pop].get(), pop_info_[pl.pop].first, pl.begin, pl.end));
  }
  group_begin_.push_back(partitions_.size());
  partition_count_ = plan.size();

  // stimuli
  for (std::size_t s = 0; s < spec_.stimuli.size(); ++s) {
    const auto& st = spec_.stimuli[s];
    const std::size_t target = pop_index(st.target);
    if (st.type == "poisson_input") {
      const int port = receptor_port(pop_info_[target].model, st.receptor, st.weight);
      stimuli_.push_back(std::make_unique<poisson_input>(st.rate, st.weight, port, st.start,
                                                         std::isinf(st.stop) ? 1e300 : st.stop, h, seed, s));
    } else if (st.type == "sinusoidal_input") {
      const int port = receptor_port(pop_info_[target].model, st.receptor, st.offset);
      stimuli_.push_back(std::make_unique<sinusoidal_input>(st.amplitude, st.offset, st.frequency, st.phase, port, st.start,
                                                            std::isinf(st.stop) ? 1e300 : st.stop, h));
    } else {
      stimuli_.push_back(std::make_unique<dc_source>(st.amplitude, st.start, std::isinf(st.stop) ? 1e300 : st.stop, h));
    }
    for (auto& p : partitions_)
      if (&p->population() == pops_[target].get()) p->add_stimulus(stimuli_.back().get());
  }

  // synapses: every partition builds its own rows, in parallel; the streams are
  // keyed per row, so the result does not depend on the partitioning
  tbb::task_arena arena(threads);
  const auto n_sources = static_cast<std::uint32_t>(total_nodes_);
  // Appends projection j's synapses onto targets [c0, c1) of `part` (population-
  // local ids) to `out`; false when j does not end on the partition's population.
  auto generate = [&](std::size_t j, const partition& part, std::uint32_t c0, std::uint32_t c1,
                      std::vector<synapse_store::entry>& out) {
    const auto& pr = spec_.projections[j];
    const std::size_t post = pop_index(pr.target);
    if (pops_[post].get() != &part.population()) return false;
    const std::size_t pre = pop_index(pr.source);
    const int port = receptor_port(pop_info_[post].model, pr.receptor, pr.weight.expectation());
    const std::uint32_t src0 = pop_info_[pre].first;
    const std::uint32_t b = part.begin();
    // with node selections, the rule works on indices into them; the target
    // selection is ascending, so the partition's targets are an index range
    const auto& sel_pre = pr.source_nodes;
    const auto& sel_post = pr.target_nodes;
    if (!sel_post.empty()) {
      c0 = static_cast<std::uint32_t>(std::lower_bound(sel_post.begin(), sel_post.end(), c0) - sel_post.begin());
      c1 = static_cast<std::uint32_t>(std::lower_bound(sel_post.begin(), sel_post.end(), c1) - sel_post.begin());
    }
    generate_rows(pr.rule, pr.pre_count(pop_info_[pre].size), pr.post_count(pop_info_[post].size), pr.same_nodes(), pr.weight,
                  pr.delay, {seed, 1000 + j}, c0, c1,
                  [&](std::span<const generated_synapse> row) {
                    for (const generated_synapse& x : row) {
                      const auto steps = std::max<long long>(1, std::llround(x.delay / h));
                      const std::uint32_t source = sel_pre.empty() ? x.source : sel_pre[x.source];
                      const std::uint32_t target = sel_post.empty() ? x.target : sel_post[x.target];
                      out.push_back({src0 + source, target - b, static_cast<float>(x.weight),
                                     static_cast<std::uint16_t>(steps), static_cast<std::uint16_t>(port)});
                    }
                  });
    return true;
  };
  // plastic rules, lowered once (validated already by check_network)
  std::vector<plasticity_params> rules(spec_.projections.size());
  for (std::size_t j = 0; j < spec_.projections.size(); ++j) {
    const auto& pl = spec_.projections[j].plasticity;
    if (!pl.plastic()) continue;
    if (auto err = lower_plasticity(pl.rule, pl.params, pl.options, rules[j]))
      throw std::invalid_argument(fmt::format("projection '{}': plasticity.{}: {}", spec_.projections[j].name, err->key, err->message));
  }
  for_each_index(arena, threads, partitions_.size(), [&](std::size_t pi) {
    partition& part = *partitions_[pi];
    double expected = 0;
    for (const auto& pr : spec_.projections)
      if (pops_[pop_index(pr.target)].get() == &part.population())
        expected += expected_synapses(pr.rule, pr.pre_count(spec_.find(pr.source)->size), pr.post_count(spec_.find(pr.target)->size),
                                      pr.same_nodes()) *
                    double(part.neurons()) / double(spec_.find(pr.target)->size);
    // Built in blocks of targets of about 8 million synapses: a block's 16-byte
    // records and their sorted copy are freed once the block is a compact store,
    // so construction holds about 16 bytes per synapse of the partition (the
    // blocks and the merged store) instead of 32 (microcircuit: bench/RESULTS.md).
    constexpr double block_synapses = 8e6;
    const auto blocks = static_cast<std::uint32_t>(std::max(1.0, std::ceil(expected / block_synapses)));
    const std::uint32_t block_len = (part.neurons() + blocks - 1) / blocks;
    std::vector<synapse_store> pieces;
    std::vector<synapse_store::entry> entries, scratch;   // reused by every block
    for (std::uint32_t c0 = part.begin(); c0 < part.end(); c0 += block_len) {
      const std::uint32_t c1 = std::min(part.end(), c0 + block_len);
      entries.reserve(static_cast<std::size_t>(expected * 1.05 * double(c1 - c0) / double(part.neurons())) + 16);
      for (std::size_t j = 0; j < spec_.projections.size(); ++j)
        if (!spec_.projections[j].plasticity.plastic()) generate(j, part, c0, c1, entries);
      pieces.push_back(synapse_store::build(entries, scratch, n_sources));
    }
    part.set_synapses(synapse_store::merge(std::move(pieces), n_sources));
    // plastic projections: a store of their own each, with the rule's state
    for (std::size_t j = 0; j < spec_.projections.size(); ++j) {
      if (!spec_.projections[j].plasticity.plastic() || !generate(j, part, part.begin(), part.end(), entries)) continue;
      synapse_store store = synapse_store::build(entries, scratch, n_sources);
      if (rules[j].kind == plasticity_kind::urbanczik) {
        // checked by check_network: onto a dendritic receptor of a pyramidal_2c
        const auto& neuron = static_cast<const pyramidal_2c&>(part.population());
        const bool excitatory = spec_.projections[j].receptor == "dendritic_exc";
        const double tau_s = excitatory ? neuron.params().tau_syn_ex_d : neuron.params().tau_syn_in_d;
        part.add_plastic(std::make_unique<urbanczik_synapses>(rules[j], neuron.params(), tau_s, neuron.V_d.data() + part.begin(),
                                                              static_cast<std::uint32_t>(j), std::move(store), part.neurons(), h));
        continue;
      }
      auto block = std::make_unique<stdp_synapses>(rules[j], static_cast<std::uint32_t>(j), std::move(store), part.neurons(), h);
      block->set_on_grid(part.population().spikes_on_grid() && pops_[pop_index(spec_.projections[j].source)]->spikes_on_grid());
      const auto& opts = spec_.projections[j].plasticity.options;
      if (auto m = opts.find("modulator"); m != opts.end()) {
        const population_info& mod = pop_info_[pop_index(m->second)];
        block->set_modulator(mod.first, mod.first + mod.size);
      }
      part.add_plastic(std::move(block));
    }
    entries = {};
    scratch = {};
  });

  // lookahead: the smallest delay; the queue spans the longest
  d_min_ = 0;
  d_max_ = 1;
  for (const auto& pr : spec_.projections) {
    const auto lo = std::max<long long>(1, std::llround(pr.delay.min_value() / h));
    d_min_ = d_min_ == 0 ? lo : std::min<step_t>(d_min_, lo);
  }
  for (const auto& p : partitions_) {
    d_max_ = std::max<step_t>(d_max_, p->synapses().max_delay());
    for (const auto& b : p->plastic()) d_max_ = std::max<step_t>(d_max_, b->store().max_delay());
  }
  d_max_ = static_cast<step_t>(comm_.max(double(d_max_)));
  for (const auto& p : partitions_) {
    totals_.synapses += p->synapses().size();
    totals_.synapse_bytes += p->synapses().bytes();
    for (const auto& b : p->plastic()) {
      totals_.synapses += b->store().size();
      totals_.plastic_synapses += b->store().size();
      totals_.synapse_bytes += b->bytes();
      totals_.plastic_bytes += b->bytes();
    }
  }
  totals_.plastic_synapses = comm_.sum(totals_.plastic_synapses);
  totals_.plastic_bytes = static_cast<std::size_t>(comm_.sum(std::uint64_t(totals_.plastic_bytes)));
  totals_.synapses = comm_.sum(totals_.synapses);
  totals_.synapse_bytes = static_cast<std::size_t>(comm_.sum(std::uint64_t(totals_.synapse_bytes)));
  if (d_min_ == 0) d_min_ = 100;   // no synapses: windows only pace progress reports
  window_ = d_min_;
  for (auto& p : partitions_) p->prepare(window_ + d_max_ + 1);

  // spike recorders: which populations keep their spikes
  for (const auto& r : spec_.recorders) {
    if (r.type != recorder_spec::kind::spikes || !r.record) continue;   // record = false: counted only
    for (auto& l : spike_logs_)
      if (r.populations.empty() || std::find(r.populations.begin(), r.populations.end(), l.population) != r.populations.end())
        l.stored = true;
  }
  // partitions keep their spikes for the logs; under MPI all of them, since
  // every rank logs every rank's spikes (rank 0 writes the files)
  for (auto& p : partitions_) {
    const auto it = std::find_if(spike_logs_.begin(), spike_logs_.end(),
                                 [&](const spike_log& l) { return l.first == p->global_first(); });
    p->set_keep_spikes(comm_.distributed() || (it != spike_logs_.end() && it->stored));
  }
  for (const auto& r : spec_.recorders) {
    if (r.type != recorder_spec::kind::state) continue;
    for (const auto& pname : r.populations) {
      state_log log;
      log.population = pname;
      log.variables = r.variables;
      log.interval = std::max<step_t>(1, std::llround(r.interval / h));
      log.interval_ms = double(log.interval) * h;
      if (!r.neurons.empty())
        log.nodes = r.neurons;
      else {
        const std::uint32_t n = r.count > 0 ? std::min<std::uint32_t>(r.count, pop_info_[pop_index(pname)].size)
                                            : pop_info_[pop_index(pname)].size;
        log.nodes.resize(n);
        std::iota(log.nodes.begin(), log.nodes.end(), 0u);
      }
      std::sort(log.nodes.begin(), log.nodes.end());
      log.nodes.erase(std::unique(log.nodes.begin(), log.nodes.end()), log.nodes.end());
      state_logs_.push_back(std::move(log));
    }
  }
  for (const auto& r : spec_.recorders) {
    if (r.type != recorder_spec::kind::weights) continue;
    if (comm_.distributed()) throw std::invalid_argument("weight recorders do not run under MPI yet");
    std::size_t j = 0;
    while (j < spec_.projections.size() && spec_.projections[j].name != r.projection) ++j;
    if (j == spec_.projections.size() || !spec_.projections[j].plasticity.plastic())
      throw std::invalid_argument(fmt::format("weight recorder: no plastic projection named '{}'", r.projection));
    weight_log log;
    weight_slots_.emplace_back();
    log.synapses = collect_weights(j, r.targets.empty() ? nullptr : &r.targets, &weight_slots_.back());
    log.interval = std::max<step_t>(1, std::llround(r.interval / h));
    log.interval_ms = double(log.interval) * h;
    log.on_change = r.on_change;
    if (r.on_change)
      for (std::uint32_t i = 0; i < weight_slots_.back().size(); ++i) {
        const synapse_slot& s = weight_slots_.back()[i];
        partitions_[s.partition]->plastic()[s.block]->watch(s.index, static_cast<std::uint32_t>(watch_targets_.size()));
        watch_targets_.emplace_back(weight_logs_.size(), i);
      }
    weight_logs_.push_back(std::move(log));
  }
  built_ = true;
  phases_.build = seconds_since(t0);
}

void simulation::set_initial_state() {
  for (std::size_t i = 0; i < spec_.populations.size(); ++i) {
    const auto& ps = spec_.populations[i];
    std::size_t var = 0;
    for (const auto& [name, dist] : ps.initial) {
      double* a = pops_[i]->writable_state(name);
      if (!a) throw std::invalid_argument(fmt::format("population '{}': '{}' is not a state variable of {}", ps.name, name, ps.model));
      for (std::uint64_t n = 0; n < ps.size; ++n) {
        stream_engine e(spec_.sim.seed, stream_tag::initial_state, (std::uint64_t(i) << 8) | var, n);
        a[n] = dist.draw(e);
      }
      ++var;
    }
  }
}

weight_table simulation::collect_weights(std::size_t j, const std::vector<std::uint32_t>* targets,
                                        std::vector<synapse_slot>* slots) const {
  const auto& pr = spec_.projections[j];
  auto info = [&](const std::string& name) -> const population_info& {
    return *std::find_if(pop_info_.begin(), pop_info_.end(), [&](const population_info& p) { return p.name == name; });
  };
  const population_info& pre = info(pr.source);
  const std::uint32_t n_post = info(pr.target).size;
  // One synapse as this rank holds it (the form ranks exchange).
  struct row {
    double weight;
    std::uint32_t target, source;   // population-local
    std::uint32_t index;            // where it lives on this rank: partition, plastic block, index
    std::uint16_t partition, block;
    std::uint16_t delay;            // steps
  };
  static_assert(sizeof(row) == 32 && std::is_trivially_copyable_v<row>);
  if (partitions_.size() > 0xFFFF) throw std::length_error("collect_weights: more than 65535 partitions");
  std::vector<char> wanted(n_post, targets ? 0 : 1);   // a recorder's subset
  if (targets)
    for (const std::uint32_t n : *targets)
      if (n < n_post) wanted[n] = 1;
  auto for_each_local = [&](auto&& f) {
    for (std::size_t pi = 0; pi < partitions_.size(); ++pi) {
      const partition& part = *partitions_[pi];
      if (part.plastic().size() > 0xFFFF) throw std::length_error("collect_weights: more than 65535 plastic blocks");
      for (std::size_t b = 0; b < part.plastic().size(); ++b) {
        const apical::plastic_synapses& blk = *part.plastic()[b];
        if (blk.projection() != j) continue;
        const synapse_store& st = blk.store();
        for (std::uint32_t src = pre.first; src < pre.first + pre.size; ++src)
          for (auto [gi, last] = st.row(src); gi < last; ++gi) {
            const delay_group g = st.group(gi);
            for (std::uint32_t k = g.begin; k < g.end; ++k) {
              const std::uint32_t tgt = part.begin() + blk.target(k);
              if (wanted[tgt])
                f(row{blk.weights()[k], tgt, src - pre.first, k, std::uint16_t(pi), std::uint16_t(b), g.delay});
            }
          }
      }
    }
  };
  // The table's order is (target, source, delay, creation order). A target's
  // synapses all lie in one block (one per projection and partition, on one
  // rank), whose rows list them by source, then delay (synapse_store::build),
  // then creation order: a stable counting pass by target puts every synapse
  // in its place, in two walks and without a sorted copy. Sorting 10 million
  // 32-byte rows had been most of the seconds brunel_stdp spent after its run
  // (bench/RESULTS.md). The walk order is checked below.
  auto table_from = [&](auto&& for_each_row) {
    std::vector<std::size_t> next(std::size_t(n_post) + 1, 0);
    for_each_row([&](const row& r) { ++next[r.target + 1]; });
    std::partial_sum(next.begin(), next.end(), next.begin());
    const std::size_t n = next.back();
    weight_table t;
    t.projection = pr.name;
    t.sources.resize(n);
    t.targets.resize(n);
    t.delays.resize(n);
    t.weights.resize(n);
    if (slots) slots->resize(n);
    for_each_row([&](const row& r) {
      const std::size_t i = next[r.target]++;
      t.sources[i] = r.source;
      t.targets[i] = r.target;
      t.delays[i] = double(r.delay) * spec_.sim.resolution;
      t.weights[i] = r.weight;
      if (slots) (*slots)[i] = {r.partition, r.block, r.index};
    });
    for (std::size_t i = 1; i < n; ++i)
      if (t.targets[i] == t.targets[i - 1] &&
          std::tie(t.sources[i], t.delays[i]) < std::tie(t.sources[i - 1], t.delays[i - 1]))
        throw std::logic_error(fmt::format("collect_weights: the synapses onto {}'s node {} are out of order", pr.target,
                                           t.targets[i]));
    return t;
  };
  if (!comm_.distributed()) return table_from(for_each_local);
  // every rank's rows, in rank order (collective: all ranks call this)
  if (slots) throw std::invalid_argument("weight recorders do not run under MPI yet");
  std::vector<row> rows;
  std::size_t held = 0;
  for (const auto& part : partitions_)
    for (const auto& blk : part->plastic())
      if (blk->projection() == j) held += blk->weights().size();
  rows.reserve(held);
  for_each_local([&](const row& r) { rows.push_back(r); });
  std::vector<std::byte> mine(rows.size() * sizeof(row));
  std::memcpy(mine.data(), rows.data(), mine.size());
  const std::vector<std::byte> all = comm_.allgather_bytes(mine);
  rows.resize(all.size() / sizeof(row));
  std::memcpy(rows.data(), all.data(), all.size());
  return table_from([&](auto&& f) {
    for (const row& r : rows) f(r);
  });
}

weight_table simulation::weights(const std::string& projection) const {
  for (std::size_t j = 0; j < spec_.projections.size(); ++j)
    if (spec_.projections[j].name == projection && spec_.projections[j].plasticity.plastic())
      return collect_weights(j, nullptr, nullptr);
  throw std::invalid_argument(fmt::format("no plastic projection named '{}'", projection));
}

std::vector<weight_table> simulation::plastic_weights() const {
  std::vector<weight_table> out;
  for (std::size_t j = 0; j < spec_.projections.size(); ++j)
    if (spec_.projections[j].plasticity.plastic()) out.push_back(collect_weights(j, nullptr, nullptr));
  return out;
}

void simulation::attach_probes(step_t end_step) {
  for (auto& p : partitions_) p->clear_probes();
  for (std::size_t l = 0; l < weight_logs_.size(); ++l) {
    weight_log& log = weight_logs_[l];
    if (log.on_change) continue;   // filled from the synapses' change lists
    const std::size_t rows = static_cast<std::size_t>(end_step / log.interval);
    const std::size_t n = weight_slots_[l].size();
    log.data.resize(rows * n, 0.0);
    log.samples = rows;
    for (std::size_t i = 0; i < n; ++i) {
      const synapse_slot& s = weight_slots_[l][i];
      partition& part = *partitions_[s.partition];
      part.add_probe({part.plastic()[s.block]->weights().data(), s.index, log.data.data() + i, n, log.interval, rows});
    }
  }
  for (auto& log : state_logs_) {
    const std::size_t rows = static_cast<std::size_t>(end_step / log.interval);
    log.data.resize(rows * log.variables.size() * log.nodes.size(), 0.0);
    log.samples = rows;
    std::size_t pidx = 0;
    for (; pidx < pop_info_.size(); ++pidx)
      if (pop_info_[pidx].name == log.population) break;
    const std::size_t stride = log.variables.size() * log.nodes.size();
    for (std::size_t v = 0; v < log.variables.size(); ++v) {
      const double* src = pops_[pidx]->state(log.variables[v]);
      for (std::size_t n = 0; n < log.nodes.size(); ++n) {
        const std::uint32_t node = log.nodes[n];
        for (auto& p : partitions_)
          if (&p->population() == pops_[pidx].get() && node >= p->begin() && node < p->end())
            p->add_probe({src, node, log.data.data() + v * log.nodes.size() + n, stride, log.interval, rows});
      }
    }
  }
}

void simulation::run(double duration_ms, const std::function<void(double)>& progress) {
  build();
  const double h = spec_.sim.resolution;
  step_t steps;
  try {
    steps = steps_exact(duration_ms, h);
  } catch (const std::invalid_argument&) {
    throw std::invalid_argument(fmt::format("duration {} ms is not a multiple of the resolution {} ms", duration_ms, h));
  }
  if (steps < 0) throw std::invalid_argument("duration must be >= 0 ms");
  const auto t_run = clock_type::now();
  const tick_rate rate;   // the phase timers' ticks in seconds (core/phase_clock.hpp)
  phase_clock::ticks exchange_ticks = 0;
  const step_t end = now_ + steps;
  attach_probes(end);
  for (auto& l : spike_logs_) l.count = 0;
  std::vector<std::vector<spike>> spare;   // emptied lists of recent_, reused
  const int threads = std::max(1, spec_.sim.threads);
  std::vector<spike> merged;
  // groups per thread: contiguous blocks, so that a thread keeps its
  // partitions (and their caches) from window to window
  const std::size_t n_groups = group_begin_.size() - 1;
  step_t w0 = now_, w1 = std::min(now_ + window_, end);
  auto work = [&](int t) {
    const std::size_t g0 = n_groups * std::size_t(t) / std::size_t(threads);
    const std::size_t g1 = n_groups * std::size_t(t + 1) / std::size_t(threads);
    for (std::size_t pi = group_begin_[g0]; pi < group_begin_[g1]; ++pi) {
      partition& p = *partitions_[pi];
      p.enqueue(pending_);
      for (step_t k = w0; k < w1; ++k) {
        p.advance(k, h);
        p.sample(k + 1);
      }
      p.keep_spikes();
    }
  };
  std::vector<std::span<const spike>> outboxes(partitions_.size());
  std::vector<std::size_t> cursor;
  auto serial = [&] {
    const phase_clock::ticks t_x = phase_clock::now();
    for (std::size_t i = 0; i < partitions_.size(); ++i) outboxes[i] = partitions_[i]->outbox();
    merge_spike_runs(outboxes, merged, cursor);
    for (auto& p : partitions_) p->outbox().clear();
    // pending_ was queued at this window's start: keep it while its events may
    // still wait in the queues (a checkpoint rebuilds the queues from it)
    recent_.push_back(std::move(pending_));
    pending_.clear();
    if (!spare.empty()) {
      pending_ = std::move(spare.back());
      spare.pop_back();
    }
    if (comm_.distributed())
      comm_.allgather_spikes(merged, pending_);
    else
      pending_.swap(merged);
    while (!recent_.empty() && (recent_.front().empty() || recent_.front().back().step + d_max_ < w1)) {
      spare.push_back(std::move(recent_.front()));
      spare.back().clear();
      recent_.pop_front();
    }
    exchange_ticks += phase_clock::now() - t_x;
    now_ = w1;
    if (progress) progress(double(now_ - (end - steps)) / double(std::max<step_t>(1, steps)));
    w0 = now_;
    w1 = std::min(now_ + window_, end);
    return now_ < end;
  };
  if (now_ < end) run_windows(threads, work, serial);
  const phase_clock::ticks t_r = phase_clock::now();
  log_kept_spikes(threads);
  const double seconds_per_tick = rate.seconds_per_tick();
  phases_.exchange += double(exchange_ticks) * seconds_per_tick;
  phases_.record += double(phase_clock::now() - t_r) * seconds_per_tick;
  for (auto& p : partitions_) p->settle_times(seconds_per_tick);
  phases_.deliver = phases_.update = 0;
  std::uint64_t events = 0;
  for (const auto& p : partitions_) {
    phases_.deliver += p->times().deliver;
    phases_.update += p->times().update;
    events += p->synaptic_events();
  }
  phases_.thread_busy.assign(std::size_t(threads), 0.0);
  for (int t = 0; t < threads; ++t)
    for (std::size_t pi = group_begin_[n_groups * std::size_t(t) / std::size_t(threads)];
         pi < group_begin_[n_groups * std::size_t(t + 1) / std::size_t(threads)]; ++pi)
      phases_.thread_busy[std::size_t(t)] += partitions_[pi]->times().deliver + partitions_[pi]->times().update;
  // totals over ranks; sampled state collected on rank 0 from the owners
  totals_.events = comm_.sum(events);
  phases_.deliver = comm_.sum(phases_.deliver);
  phases_.update = comm_.sum(phases_.update);
  for (auto& log : state_logs_) comm_.reduce_owned(log.data);
  for (std::size_t l = 0; l < weight_logs_.size(); ++l)
    for (std::size_t i = 0; i < weight_slots_[l].size(); ++i) {
      const synapse_slot& s = weight_slots_[l][i];
      weight_logs_[l].synapses.weights[i] = partitions_[s.partition]->plastic()[s.block]->weights()[s.index];
    }
  collect_changes();
  phases_.run += seconds_since(t_run);
}

void simulation::log_kept_spikes(int threads) {
  const double h = spec_.sim.resolution;
  std::vector<std::span<const spike>> runs;
  std::vector<std::size_t> cursor;
  std::vector<spike> merged;
  if (comm_.distributed()) {
    // every rank's spikes to every rank, as the windows' exchange gathers them
    std::vector<std::vector<spike>> kept;
    for (const auto& p : partitions_) kept.push_back(p->kept().to_spikes());
    for (const auto& k : kept) runs.push_back(k);
    merge_spike_runs(runs, merged, cursor);
    std::vector<spike> all;
    comm_.allgather_spikes(merged, all);
    log_spikes(spike_logs_, all, h);
    for (auto& p : partitions_) p->take_kept();
    return;
  }
  // Population by population; each log's new spikes in chunks of steps, in
  // parallel: a chunk's place in the log is the count of spikes before its
  // first step, so the threads write disjoint ranges. Done in one thread,
  // this was the run's largest serial part on 16 threads (bench/RESULTS.md).
  // The partitions' compact lists go to the log without a copy as spike
  // records between (core/spike_list.hpp).
  tbb::task_arena arena(threads);
  std::vector<const spike_list*> lists;
  for (spike_log& log : spike_logs_) {
    lists.clear();
    std::uint64_t emitted = 0;
    for (const auto& p : partitions_)
      if (p->global_first() == log.first) {
        lists.push_back(&p->kept());
        emitted += p->emitted();
      }
    log.count += emitted;
    log.total += emitted;
    if (!log.stored) continue;
    // the steps the spikes carry (a grid neuron's spike in step k carries k + 1)
    std::size_t n = 0;
    step_t first = std::numeric_limits<step_t>::max(), end = std::numeric_limits<step_t>::min();
    bool steps_sorted = true;   // as partitions emit; else merge_spike_runs sorts them
    for (const spike_list* l : lists) {
      n += l->size();
      if (l->empty()) continue;
      first = std::min(first, l->steps().front().step);
      end = std::max(end, l->steps().back().step + 1);
      steps_sorted = steps_sorted && l->steps_sorted();
    }
    if (n == 0) continue;
    const std::size_t base = log.times.size();
    log.node_ids.resize(base + n);
    log.times.resize(base + n);
    if (!steps_sorted) {
      std::vector<std::vector<spike>> kept;
      for (const spike_list* l : lists) kept.push_back(l->to_spikes());
      runs.assign(kept.begin(), kept.end());
      merge_spike_runs(runs, merged, cursor);
      for (std::size_t i = 0; i < n; ++i) {
        log.node_ids[base + i] = merged[i].source - log.first;
        log.times[base + i] = double(merged[i].step) * h + merged[i].offset;
      }
      continue;
    }
    const std::size_t chunks = std::size_t(threads) * 4;
    for_each_index(arena, threads, chunks, [&](std::size_t c) {
      const step_t a = first + (end - first) * step_t(c) / step_t(chunks);
      const step_t b = first + (end - first) * step_t(c + 1) / step_t(chunks);
      std::size_t at = base;
      for (const spike_list* l : lists) at += l->first_of(l->entry_at(a));
      std::vector<std::pair<double, std::uint32_t>> segment;
      join_spike_lists(lists, a, b, log.first, h, log.node_ids.data() + at, log.times.data() + at, segment);
    });
  }
  for (auto& p : partitions_) p->take_kept();
}

std::size_t simulation::layout_groups() const { return spec_.sim.partitions > 0 ? 0 : layout_groups_; }

void simulation::set_layout_groups(std::size_t groups) {
  if (built_) throw std::logic_error("set_layout_groups: the network is built already");
  layout_groups_ = groups;
}

void simulation::serialize(state_io& io) {
  build();
  if (comm_.distributed()) throw std::invalid_argument("checkpoints do not run under MPI yet");
  std::uint64_t nodes = total_nodes_, parts = partitions_.size();
  step_t now = now_;
  io.fields(nodes, parts, now);
  if (io.loading() && (nodes != total_nodes_ || parts != partitions_.size()))
    throw std::runtime_error("checkpoint: the network or its partitions differ from the checkpointed one");
  now_ = now;
  io.field(pending_);
  std::uint64_t windows = recent_.size();
  io.field(windows);
  if (io.loading()) recent_.resize(windows);
  for (auto& w : recent_) io.field(w);
  for (auto& p : pops_) p->serialize(io);
  for (auto& p : partitions_) p->serialize(io);
  for (auto& l : spike_logs_) io.fields(l.node_ids, l.times, l.total);
  for (auto& l : state_logs_) io.fields(l.data, l.samples);
  for (auto& l : weight_logs_) io.fields(l.data, l.samples, l.change_times, l.change_synapses, l.synapses.weights);
  if (!io.loading()) return;
  // the queues: every spike already queued whose events arrive from now on
  for (auto& p : partitions_) {
    p->prepare(window_ + d_max_ + 1);
    for (const auto& w : recent_) p->requeue(w, now_);
  }
}

void simulation::collect_changes() {
  if (watch_targets_.empty()) return;
  struct entry {
    double t;
    std::uint32_t synapse;
    double w;
  };
  std::vector<std::vector<entry>> per_log(weight_logs_.size());
  for (auto& p : partitions_)
    for (auto& b : p->plastic())
      for (const auto& c : b->take_changes()) {
        const auto [l, i] = watch_targets_[c.watch_id];
        per_log[l].push_back({c.t, i, c.w});
      }
  // (time, synapse) order does not depend on the partitioning; one synapse's
  // changes at one time keep their delivery order
  for (std::size_t l = 0; l < per_log.size(); ++l) {
    auto& v = per_log[l];
    std::stable_sort(v.begin(), v.end(), [](const entry& a, const entry& b) { return a.t != b.t ? a.t < b.t : a.synapse < b.synapse; });
    weight_log& log = weight_logs_[l];
    for (const entry& e : v) {
      log.change_times.push_back(e.t);
      log.change_synapses.push_back(e.synapse);
      log.data.push_back(e.w);
    }
  }
}

}  // namespace apical
