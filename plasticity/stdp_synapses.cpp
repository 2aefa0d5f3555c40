#include "plasticity/stdp_synapses.hpp"

#include <algorithm>
#include <cmath>

namespace apical {

stdp_synapses::stdp_synapses(const stdp_params& rule, std::uint32_t projection, synapse_store&& store, std::size_t neurons,
                             double h)
    : rule_(rule), projection_(projection), store_(std::move(store)), h_(h) {
  const auto syn = store_.synapses();
  w_.resize(syn.size());
  std::vector<std::uint32_t> readers(neurons, 0);
  for (std::size_t j = 0; j < syn.size(); ++j) {
    w_[j] = syn[j].weight;
    ++readers[syn[j].target];
  }
  pre_.assign(store_.group_count(), {});
  archive_.reset(neurons, rule_.tau_minus, rule_.tau_y, rule_.pairing == stdp_pairing::nearest);
  for (std::size_t n = 0; n < neurons; ++n) archive_.set_readers(n, readers[n]);
}

std::uint32_t stdp_synapses::deliver(std::uint32_t g, step_t k, double offset, double* const* in,
                                     std::vector<offgrid_event>* offgrid) {
  const delay_group& grp = store_.group(g);
  const auto syn = store_.synapses();
  const step_t dden = rule_.dendritic_steps(grp.delay);
  // the pre spike's time at the synapse, in the post frame (minus d_den): pairs
  // are timed by dt = t_post - t
  const double t = double(k - 2 * dden) * h_ + offset;
  pre_trace& pre = pre_[g];
  const double inv_tau_plus = 1.0 / rule_.tau_plus, inv_tau_minus = 1.0 / rule_.tau_minus;
  const bool triplet = rule_.kind == stdp_kind::triplet;
  const double r2 = triplet ? pre.r2 * std::exp(-(t - pre.t_last) / rule_.tau_x) : 0.0;
  double* const dest = in[grp.receptor];
  for (std::uint32_t j = grp.begin; j < grp.end; ++j) {
    const std::uint32_t n = syn[j].target;
    double w = w_[j];
    const auto hist = archive_.entries(n);
    // potentiation by the post spikes in (t_last, t], in time order
    auto it = std::upper_bound(hist.begin(), hist.end(), pre.t_last,
                               [](double x, const post_archive::entry& e) { return x < e.t; });
    for (; it != hist.end() && it->t <= t; ++it) {
      if (pre.r1 != 0.0) w = rule_.facilitate(w, pre.r1 * std::exp(-(it->t - pre.t_last) * inv_tau_plus), it->o2_before);
      ++it->reads;
    }
    // depression by the post trace just before t (a post spike at t does not pair)
    auto last = it;
    while (last != hist.begin() && std::prev(last)->t >= t) --last;
    if (last != hist.begin()) {
      const auto& e = *std::prev(last);
      w = rule_.depress(w, e.o1 * std::exp(-(t - e.t) * inv_tau_minus), r2);
    }
    w_[j] = w;
    if (offgrid)
      offgrid->push_back({offset, n, grp.receptor, w});
    else
      dest[n] += w;
  }
  // the pre traces take this spike
  const bool nearest = rule_.pairing == stdp_pairing::nearest;
  const double r1 = pre.r1 * std::exp(-(t - pre.t_last) * inv_tau_plus);
  pre.r1 = nearest ? 1.0 : r1 + 1.0;
  pre.r2 = nearest ? 1.0 : r2 + 1.0;
  pre.t_last = t;
  return grp.end - grp.begin;
}

std::size_t stdp_synapses::bytes() const {
  return store_.bytes() + w_.capacity() * sizeof(double) + pre_.capacity() * sizeof(pre_trace) +
         archive_.size() * sizeof(post_archive::entry);
}

}  // namespace apical
