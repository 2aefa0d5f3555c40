#pragma once
// Connectivity rules, named as NEST names them (PyNN names are accepted by the
// model-file loader): all_to_all, one_to_one, pairwise_bernoulli (p),
// fixed_indegree (indegree), fixed_outdegree (outdegree), fixed_total_number (N).
//
// Every rule is generated row by row from a counter-based stream keyed on the
// projection and the row (the target neuron, or for fixed_outdegree the source
// neuron), so the synapses a partition builds do not depend on how the network
// is split into partitions, threads or ranks.
#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "core/distribution.hpp"

namespace apical {

struct connection_rule {
  enum class kind { all_to_all, one_to_one, pairwise_bernoulli, fixed_indegree, fixed_outdegree, fixed_total_number };
  kind type = kind::all_to_all;
  double p = 0.0;               ///< pairwise_bernoulli probability
  std::uint64_t n = 0;          ///< indegree, outdegree or total number
  bool allow_autapses = true;   ///< NEST default
  bool allow_multapses = true;  ///< NEST default
};

std::string rule_name(connection_rule::kind k);

/// Empty when the rule can be realised between populations of these sizes,
/// else what is wrong. `same_population`: source and target are one population
/// (autapses only exist then).
std::string check_rule(const connection_rule& r, std::uint64_t n_pre, std::uint64_t n_post, bool same_population);

/// Expected number of synapses (exact for all but pairwise_bernoulli).
double expected_synapses(const connection_rule& r, std::uint64_t n_pre, std::uint64_t n_post, bool same_population);

/// Receives one synapse: source and target local to their populations.
using synapse_sink = std::function<void(std::uint32_t source, std::uint32_t target, double weight, double delay)>;

/// One generated synapse (source and target local to their populations).
struct generated_synapse {
  std::uint32_t source, target;
  double weight, delay;
};
/// Receives the synapses of one row at a time: one call per row, not per
/// synapse (the per-synapse call was 13% of the microcircuit's construction).
using row_sink = std::function<void(std::span<const generated_synapse>)>;

struct projection_streams {
  std::uint64_t seed;
  std::uint64_t projection_id;   ///< keys every stream of this projection
};

/// Generates all synapses of the projection whose target lies in
/// [target_begin, target_end), in a fixed order: by target, and for each target
/// in the order of its row's stream (for fixed_outdegree: by source).
void generate(const connection_rule& r, std::uint64_t n_pre, std::uint64_t n_post, bool same_population,
              const distribution& weight, const distribution& delay, const projection_streams& ids,
              std::uint32_t target_begin, std::uint32_t target_end, const synapse_sink& sink);

/// The same synapses in the same order, handed over row by row.
void generate_rows(const connection_rule& r, std::uint64_t n_pre, std::uint64_t n_post, bool same_population,
                   const distribution& weight, const distribution& delay, const projection_streams& ids,
                   std::uint32_t target_begin, std::uint32_t target_end, const row_sink& sink);

}  // namespace apical
