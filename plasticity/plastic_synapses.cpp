#include "plasticity/plastic_synapses.hpp"

namespace apical {

plastic_synapses::plastic_synapses(std::uint32_t projection, synapse_store&& store, double h)
    : projection_(projection), store_(std::move(store)), h_(h) {
  const std::vector<synapse> syn = store_.release_synapses();
  w_.resize(syn.size());
  target_.resize(syn.size());
  for (std::size_t j = 0; j < syn.size(); ++j) {
    w_[j] = syn[j].weight;
    target_[j] = syn[j].target;
  }
}

std::vector<std::uint32_t> plastic_synapses::in_degrees(std::size_t neurons) const {
  std::vector<std::uint32_t> d(neurons, 0);
  for (std::uint32_t n : target_) ++d[n];
  for (std::uint16_t n : target16_) ++d[n];
  return d;
}

bool plastic_synapses::narrow_targets() {
  if (target_.empty() || *std::max_element(target_.begin(), target_.end()) > 0xFFFF) return false;
  target16_.assign(target_.begin(), target_.end());
  std::vector<std::uint32_t>().swap(target_);
  return true;
}

void plastic_synapses::watch(std::uint32_t j, std::uint32_t watch_id) {
  if (watch_.empty()) watch_.assign(w_.size(), unwatched);
  watch_[j] = watch_id;
}

void plastic_synapses::sent(const delay_group& grp, step_t k, double offset, std::vector<offgrid_event>* offgrid) {
  if (offgrid)
    for (std::uint32_t j = grp.begin; j < grp.end; ++j) offgrid->push_back({offset, target(j), grp.receptor, w_[j]});
  if (!watch_.empty())
    for (std::uint32_t j = grp.begin; j < grp.end; ++j)
      if (watch_[j] != unwatched) changes_.push_back({double(k) * h_ + offset, watch_[j], w_[j]});
}

std::size_t plastic_synapses::bytes() const {
  return store_.bytes() + target_.capacity() * sizeof(std::uint32_t) + target16_.capacity() * sizeof(std::uint16_t) +
         w_.capacity() * sizeof(double);
}

}  // namespace apical
