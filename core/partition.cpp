#include "core/partition.hpp"

#include <algorithm>

#include "core/subnormal_flush.hpp"
#include "neurons/stimuli.hpp"

namespace apical {

partition::partition(population_dynamics* pop, std::uint32_t global_first, std::uint32_t begin, std::uint32_t end)
    : pop_(pop), global_first_(global_first), begin_(begin), end_(end), precise_(pop->precise()),
      receptors_(pop->receptors()) {
  acc_.assign(std::size_t(std::max(receptors_, 1)) * neurons(), 0.0);
  for (int r = 0; r < receptors_; ++r) {
    double* direct = pop->input_array(r);
    in_[r] = direct ? direct + begin : acc_.data() + std::size_t(r) * neurons();
  }
  scratch_.assign(neurons(), 0);
  work_.assign(neurons(), 0.0);
}

void partition::add_stimulus(stimulus* s) {
  stimuli_.push_back(s);
  if (s->uses_current() && current_.empty()) current_.assign(neurons(), 0.0);
}

void partition::add_plastic(std::unique_ptr<plastic_synapses> s) {
  if (plastic_base_.empty()) plastic_base_.push_back(store_.group_count());
  plastic_base_.push_back(plastic_base_.back() + s->store().group_count());
  time_order_ = time_order_ || s->wants_time_order();
  plastic_.push_back(std::move(s));
}

void partition::prepare(step_t horizon) { queue_.reset(horizon); }

void partition::push_events(std::span<const spike> spikes, step_t from) {
  // Spike by spike, the static store's groups (numbered from 0) then plastic
  // block b's (from plastic_base_[b]): a bucket's order then depends on the
  // spikes alone, not on how the run was cut into windows, so run(a); run(b)
  // equals run(a + b) and a resumed checkpoint continues bit for bit.
  auto push = [&](const synapse_store& st, std::uint32_t base, const spike& s) {
    const auto [first, last] = st.row(s.source);
    for (std::uint32_t g = first; g < last; ++g) {
      const step_t at = s.step + st.group(g).delay;
      if (at >= from) queue_.push(at, {s.offset, base + g, s.source});
    }
  };
  const bool any_static = store_.size() > 0;
  // the rows of the spikes' sources are scattered over the store: their index
  // entries and groups are prefetched ahead (bench/RESULTS.md)
  constexpr std::size_t ahead_index = 16, ahead_row = 8;
  for (std::size_t i = 0; i < spikes.size(); ++i) {
    const spike& s = spikes[i];
    if (any_static) {
      if (i + ahead_index < spikes.size()) store_.prefetch_row_index(spikes[i + ahead_index].source);
      if (i + ahead_row < spikes.size()) store_.prefetch_row(spikes[i + ahead_row].source);
      push(store_, 0, s);
    }
    for (std::size_t b = 0; b < plastic_.size(); ++b) push(plastic_[b]->store(), plastic_base_[b], s);
  }
}

void partition::enqueue(std::span<const spike> spikes) {
  mark_ = phase_clock::now();   // delivery's time runs from here to the first step's update
  push_events(spikes, 0);
  for (auto& block : plastic_)
    if (block->modulated())   // neuromodulator spikes reach every synapse of the block
      for (const spike& s : spikes)
        if (block->modulated_by(s.source)) block->on_modulator(s.step, s.offset);
}

void partition::settle_times(double seconds_per_tick) {
  times_.deliver += double(deliver_ticks_) * seconds_per_tick;
  times_.update += double(update_ticks_) * seconds_per_tick;
  deliver_ticks_ = update_ticks_ = 0;
}

void partition::serialize(state_io& io) {
  io.field(events_);
  for (auto& block : plastic_) block->serialize(io);
}

void partition::advance(step_t k, double h) {
  const auto t0 = mark_;   // the end of enqueue or of the previous step
  auto& bucket = queue_.bucket(k);
  const std::uint32_t* const target = store_.targets().data();
  bool any_offgrid = false;
  if (precise_ || time_order_)
    for (const auto& e : bucket) any_offgrid |= e.offset > 0.0;
  if (any_offgrid)
    std::stable_sort(bucket.begin(), bucket.end(), [](const queue_entry& a, const queue_entry& b) {
      return a.offset != b.offset ? a.offset < b.offset : a.source < b.source;
    });
  const std::uint32_t n_static = store_.group_count();
  // The entries' delay groups and synapse rows are scattered over the store:
  // prefetched a few entries ahead, so their cache misses overlap. A row's
  // first 8 cache lines (64 synapses): the hardware prefetcher takes a few
  // demand misses to follow a stream, which a row (spike x partition) of a
  // large network pays in full; with only the first line asked for, each
  // partition cost Brunel 0.09 s per second and COBA 64k 1 thread's delivery
  // took 0.71 s instead of 0.51 s (bench/RESULTS.md).
  constexpr std::size_t ahead_group = 16, ahead_row = 8;
  auto block_of = [&](std::uint32_t group) {   // plastic block of a group >= n_static
    std::size_t b = 0;
    while (group >= plastic_base_[b + 1]) ++b;
    return b;
  };
  auto prefetch_group = [&](std::uint32_t ga) {
    if (ga < n_static) {
      store_.prefetch_group(ga);
    } else {
      const std::size_t b = block_of(ga);
      plastic_[b]->prefetch_group(ga - plastic_base_[b]);
    }
  };
  auto prefetch_row = [&](std::uint32_t ga) {
    if (ga < n_static) {
      const delay_group row = store_.group(ga);
      const char* p = reinterpret_cast<const char*>(target + row.begin);
      const char* const e = std::min(reinterpret_cast<const char*>(target + row.end), p + 8 * 64);
      for (; p < e; p += 64) __builtin_prefetch(p);
      if (!row.uniform) {   // a group of several weights: its weights' first lines too
        const char* q = reinterpret_cast<const char*>(store_.weights(row));
        const char* const qe = std::min(q + std::size_t(row.end - row.begin) * sizeof(float), q + 8 * 64);
        for (; q < qe; q += 64) __builtin_prefetch(q);
      }
    } else {
      const std::size_t b = block_of(ga);
      plastic_[b]->prefetch_rows(ga - plastic_base_[b]);
    }
  };
  // a step's first entries too, before the first delivery: a small network's
  // step holds only a few (COBA: ~14), which the look-ahead alone never reached
  for (std::size_t i = 0; i < std::min(ahead_group, bucket.size()); ++i) prefetch_group(bucket[i].group);
  for (std::size_t i = 0; i < std::min(ahead_row, bucket.size()); ++i) prefetch_row(bucket[i].group);
  for (std::size_t i = 0; i < bucket.size(); ++i) {
    if (i + ahead_group < bucket.size()) prefetch_group(bucket[i + ahead_group].group);
    if (i + ahead_row < bucket.size()) prefetch_row(bucket[i + ahead_row].group);
    const queue_entry& e = bucket[i];
    if (e.group >= n_static) {
      const std::size_t b = block_of(e.group);
      const bool offgrid = precise_ && e.offset > 0.0;
      events_ += plastic_[b]->deliver(e.group - plastic_base_[b], k, e.offset, in_, offgrid ? &offgrid_ : nullptr);
      continue;
    }
    const delay_group g = store_.group(e.group);
    events_ += g.end - g.begin;
    if (e.offset == 0.0 || !precise_) {
      double* a = in_[g.receptor];
      if (g.uniform) {
        const double w = g.uniform_weight();
        for (std::uint32_t j = g.begin; j < g.end; ++j) a[target[j]] += w;
      } else {
        const float* w = store_.weights(g);
        for (std::uint32_t j = g.begin; j < g.end; ++j) a[target[j]] += w[j - g.begin];
      }
    } else {
      for (std::uint32_t j = g.begin; j < g.end; ++j)
        offgrid_.push_back({e.offset, target[j], g.receptor, double(store_.weight(g, j))});
    }
  }
  bucket.clear();
  if (!offgrid_.empty())
    std::stable_sort(offgrid_.begin(), offgrid_.end(),
                     [](const offgrid_event& a, const offgrid_event& b) { return a.target < b.target; });
  const phase_clock::ticks t1 = phase_clock::now();

  step_context ctx;
  ctx.step = k;
  ctx.h = h;
  for (int r = 0; r < receptors_; ++r) ctx.acc[r] = in_[r];
  ctx.current = current_.empty() ? nullptr : current_.data();
  ctx.events = offgrid_;
  ctx.outbox = &outbox_;
  ctx.scratch = scratch_.data();
  ctx.work = work_.data();
  ctx.global_first = global_first_;
  for (stimulus* s : stimuli_) s->apply(begin_, end_, ctx);
  const std::size_t emitted = outbox_.size();
  if (k % subnormal_flush_period == 0 && subnormal_flush_enabled) pop_->flush_subnormal_state(begin_, end_);
  pop_->update(begin_, end_, ctx);
  offgrid_.clear();
  // the partition's own spikes enter the post archives of its plastic synapses
  if (!plastic_.empty())
    for (std::size_t i = emitted; i < outbox_.size(); ++i) {
      const spike& s = outbox_[i];
      const std::uint32_t local = s.source - global_first_ - begin_;
      for (auto& p : plastic_) p->on_post(local, s.step, s.offset);
    }
  for (auto& p : plastic_) p->end_step(k);
  const phase_clock::ticks t2 = phase_clock::now();
  mark_ = t2;
  deliver_ticks_ += t1 - t0;
  update_ticks_ += t2 - t1;
}

void partition::sample(step_t t_next) {
  for (const state_probe& p : probes_) {
    if (t_next % p.interval != 0) continue;
    const auto row = static_cast<std::size_t>(t_next / p.interval - 1);
    if (row < p.max_rows) p.dest[row * p.stride] = p.source[p.neuron];
  }
}

}  // namespace apical
