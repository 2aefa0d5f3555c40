#include "plasticity/stdp_synapses.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <type_traits>

#include "plasticity/stdp_quiet_pass.hpp"
#include "plasticity/stdp_update.hpp"

namespace apical {

namespace {

using history = std::span<post_archive::entry>;

// The power law, eight synapses at a time: with AVX-512 one vector through
// pow_vec8 (and exp_vec8 for the decays below); without it loops over the
// scalar rule and its twins pow_vec and exp_vec, which GCC vectorises for AVX2
// (two vectors of four; tests/check_vectorised.sh), where the scalar loop had
// taken 2.4x AVX-512's time in plastic Brunel's delivery (bench/RESULTS.md).
// Each lane takes the scalar rule's operations in its order either way: the
// same bits as stdp_update::power_law. Potentiation at post spikes
// (deliver_at_post, at_post_potentiation) takes them with each synapse's own
// trace; the block loop of NEST's order (deliver_as) with traces decayed here.

/// w[l] = u.facilitate(w[l], x[l]) for eight synapses (w, x 64-byte aligned).
inline void facilitate8(const stdp_update::power_law& u, const double* x, double* w) {
#if defined(APICAL_STDP_QUIET_PASS)
  _mm512_store_pd(w, stdp_quiet::facilitate(u, _mm512_load_pd(w), _mm512_load_pd(x)));
#else
#pragma GCC ivdep
  for (std::uint32_t l = 0; l < 8; ++l) w[l] = u.facilitate(w[l], x[l], 0.0);
#endif
}

/// w[l] = u.depress(w[l], y[l]) for eight synapses (w, y 64-byte aligned).
inline void depress8(const stdp_update::power_law& u, const double* y, double* w) {
#if defined(APICAL_STDP_QUIET_PASS)
  _mm512_store_pd(w, stdp_quiet::depress(u, _mm512_load_pd(w), _mm512_load_pd(y), 0.0));
#else
#pragma GCC ivdep
  for (std::uint32_t l = 0; l < 8; ++l) w[l] = u.depress(w[l], y[l], 0.0);
#endif
}

/// out[l] = a[l] f(dt[l]) for eight intervals dt (ms), as the scalar
/// a * f(dt): on the grid from f's tables lane by lane, off it, with AVX-512,
/// through exp_vec8(-dt / tau), the twin of the exp_vec that f then takes
/// (grid_decay::use_exp_vec), without it through exp_vec in a loop that GCC
/// vectorises for AVX2. (out 64-byte aligned)
inline void scaled_decay8(const grid_decay::function& f, const double* a, const double* dt, double* out) {
  if (f.on_grid) {
    for (std::uint32_t l = 0; l < 8; ++l) out[l] = a[l] * f(dt[l]);
    return;
  }
  assert(f.exp_twin);
#if defined(APICAL_STDP_QUIET_PASS)
  const __m512d minus_dt = _mm512_castsi512_pd(
      _mm512_xor_si512(_mm512_castpd_si512(_mm512_loadu_pd(dt)), _mm512_set1_epi64(std::int64_t(1) << 63)));
  _mm512_store_pd(out, _mm512_mul_pd(_mm512_loadu_pd(a), exp_vec8(_mm512_mul_pd(minus_dt, _mm512_set1_pd(f.inv_tau)))));
#else
  const double inv_tau = f.inv_tau;
#pragma GCC ivdep
  for (std::uint32_t l = 0; l < 8; ++l) out[l] = a[l] * exp_vec(-dt[l] * inv_tau);
#endif
}

/// w[l] = u.facilitate(w[l], r1 f(dt[l])) for eight synapses (w 64-byte aligned).
inline void facilitate8(const stdp_update::power_law& u, const grid_decay::function& f, double r1, const double* dt,
                        double* w) {
  alignas(64) double r[8], x[8];
  std::fill_n(r, 8, r1);
  scaled_decay8(f, r, dt, x);
  facilitate8(u, x, w);
}

/// out[l] = u.depress(w[l], o1[l] f(dt[l])) for eight synapses (o1, w, out 64-byte aligned).
inline void depress8(const stdp_update::power_law& u, const grid_decay::function& f, const double* o1, const double* dt,
                     const double* w, double* out) {
  alignas(64) double y[8];
  scaled_decay8(f, o1, dt, y);
  std::copy_n(w, 8, out);
  depress8(u, y, out);
}

/// Synapses in one block of the power law's vector loop (deliver_as; GCC 12
/// fails on a local constant in the lambda's array bounds).
constexpr std::uint32_t power_block_size = 64;

/// The latest entry before t, searching back from `from` (which is past every
/// entry at or before t): its time and trace o1, or none (t = -1e300).
post_archive::newest last_before(history hist, history::iterator from, double t) {
  while (from != hist.begin() && std::prev(from)->t >= t) --from;
  if (from == hist.begin()) return {};
  return {std::prev(from)->t, std::prev(from)->o1};
}

}  // namespace

stdp_synapses::stdp_synapses(const plasticity_params& rule, std::uint32_t projection, synapse_store&& store, std::size_t neurons,
                             double h, bool compact)
    : plastic_synapses(projection, std::move(store), h), rule_(rule) {
  if (compact) store_.compact_rows();   // before anything is kept by group
  const std::vector<std::uint32_t> readers = in_degrees(neurons);
  if (rule_.kind == plasticity_kind::dopamine) c_.assign(w_.size(), 0.0);
  if (rule_.potentiate_at_post) {
    // one dendritic delay for all groups (plasticity_params::check_delay)
    const std::int64_t dden = store_.group_count() ? rule_.dendritic_steps(store_.group(0).delay) : 1;
    if (compact) narrow_targets();
    at_post_.reset([this](std::uint32_t j) { return target(j); }, store_, readers, dden, rule_.tau_plus, rule_.tau_minus,
                   h, compact ? stdp_at_post::layout::automatic : stdp_at_post::layout::wide);
    archive_.reset(0, rule_.tau_minus, rule_.tau_y, false);
  } else {
    pre_.assign(store_.group_count(), {});
    is_caught_.assign(store_.group_count(), 0);
    std::uint32_t widest = 0;
    for (std::uint32_t g = 0; g < store_.group_count(); ++g)
      widest = std::max(widest, store_.group(g).end - store_.group(g).begin);
    rest_.assign(widest + 8, 0);   // depress_quiet stores eight at a time
    archive_.reset(neurons, rule_.tau_minus, rule_.tau_y, rule_.pairing == stdp_pairing::nearest);
    for (std::size_t n = 0; n < neurons; ++n) archive_.set_readers(n, readers[n]);
  }
  set_on_grid(false);
}

void stdp_synapses::set_on_grid(bool on_grid) {
  at_post_.set_off_grid(!on_grid);
  decay_plus_ = grid_decay(rule_.tau_plus, h_, on_grid);
  decay_minus_ = grid_decay(rule_.tau_minus, h_, on_grid);
  // the power law's block loop decays its traces eight at a time
  if (rule_.kind == plasticity_kind::pair && rule_.dependence == weight_dependence::power_law) {
    decay_plus_.use_exp_vec();
    decay_minus_.use_exp_vec();
  }
}

std::uint32_t stdp_synapses::deliver(std::uint32_t g, step_t k, double offset, double* const* in,
                                     std::vector<offgrid_event>* offgrid) {
  if (rule_.kind == plasticity_kind::dopamine) return deliver_dopamine(g, k, offset, in, offgrid);
  if (rule_.potentiate_at_post)
    return stdp_update::visit(rule_, [&](const auto& u) {
      // spikes off the grid in a form of their own: the check inside the grid
      // form had made plastic COBA's delivery 4.6% slower (bench/RESULTS.md)
      if (at_post_.off_grid())
        return narrow() ? deliver_at_post<true>(u, target16_.data(), g, k, offset, in, offgrid)
                        : deliver_at_post<true>(u, target_.data(), g, k, offset, in, offgrid);
      return narrow() ? deliver_at_post<false>(u, target16_.data(), g, k, offset, in, offgrid)
                      : deliver_at_post<false>(u, target_.data(), g, k, offset, in, offgrid);
    });
  // a caught-up group (catch_up) in a form of its own: the common one stays
  // as it was (one form for both had made plastic COBA's delivery 3.6% slower:
  // bench/RESULTS.md)
  return stdp_update::visit(rule_, [&](const auto& u) {
    return is_caught_[g] ? deliver_as<true>(u, g, k, offset, in, offgrid) : deliver_as<false>(u, g, k, offset, in, offgrid);
  });
}

template <bool log, class Update>
auto stdp_synapses::at_post_potentiation(const Update& u) {
  double* const w = w_.data();
  if constexpr (std::is_same_v<Update, stdp_update::power_law>) {
    // a block's scattered weights are loaded before any goes through the
    // rule: one pow_vec a synapse between the loads had left the weights' cache
    // misses one by one (plastic Brunel at post spikes: bench/RESULTS.md)
    return [this, u, w](const std::uint32_t* js, const double* xs, std::uint32_t m, double t_log) {
      constexpr std::uint32_t block = stdp_at_post::potentiation_block;
      alignas(64) double wb[block];
      const std::uint32_t lanes = stdp_simd_enabled ? (m + 7) / 8 * 8 : 0;
      for (std::uint32_t l = 0; l < m; ++l) wb[l] = w[js[l]];
      for (std::uint32_t l = m; l < lanes; ++l) wb[l] = u.w_max;   // unused lanes (their xs are 0)
      for (std::uint32_t l = 0; l < lanes; l += 8) facilitate8(u, xs + l, wb + l);
      if (!lanes)   // the scalar loop, for tests
        for (std::uint32_t l = 0; l < m; ++l) wb[l] = u.facilitate(wb[l], xs[l], 0.0);
      for (std::uint32_t l = 0; l < m; ++l) {
        w[js[l]] = wb[l];
        if constexpr (log) log_change(js[l], t_log);
      }
    };
  } else {
    return [this, u, w](std::uint32_t j, double x, [[maybe_unused]] double t_log) {
      w[j] = u.facilitate(w[j], x, 0.0);
      if constexpr (log) log_change(j, t_log);
    };
  }
}

template <bool off_grid, class Update, class Target>
std::uint32_t stdp_synapses::deliver_at_post(const Update& u, const Target* target, std::uint32_t g, step_t k, double offset,
                                             double* const* in, std::vector<offgrid_event>* offgrid) {
  const delay_group& grp = store_.group(g);
  const double t = double(k - 2 * rule_.dendritic_steps(grp.delay)) * h_ + offset;   // post frame, as deliver_as
  // depression by y_n(t) = Y_n e, the post spikes before t (stdp_at_post.hpp);
  // y = 0 leaves w as it is (w >= w_min), as an unpaired synapse in deliver_as
  double* const w = w_.data();
  if constexpr (off_grid)   // the post spikes before t potentiate first (stdp_at_post.hpp)
    at_post_.before_pre(k, t, at_post_potentiation<true>(u));
  const double e = at_post_.minus_factor(t);
  const double* const Y = at_post_.post_sums();
  double* const dest = offgrid ? nullptr : in[grp.receptor];
  std::uint32_t j = grp.begin;
  if constexpr (std::is_same_v<Update, stdp_update::power_law>) {
    // eight synapses through the rule at once, then their puts in store order
    if (stdp_simd_enabled)
      for (; j + 8 <= grp.end; j += 8) {
        alignas(64) double wb[8], y[8];
        for (std::uint32_t l = 0; l < 8; ++l) wb[l] = w[j + l], y[l] = Y[target[j + l]] * e;
        depress8(u, y, wb);
        for (std::uint32_t l = 0; l < 8; ++l) put(j + l, target[j + l], wb[l], dest);
      }
  }
  for (; j < grp.end; ++j) {
    const std::uint32_t n = target[j];
    put(j, n, u.depress(w[j], Y[n] * e, 0.0), dest);
  }
  sent(grp, k, offset, offgrid);
  at_post_.add_pre(g, t);
  return grp.end - grp.begin;
}

// NEST's order leaves each potentiation for the synapse's next pre spike, and
// the archive keeps a post spike until every synapse onto the neuron has read
// it (as NEST's ArchivingNode): one silent input kept its target's whole
// history, and plastic COBA's memory grew ~2 MB a simulated second (92% of its
// E neurons have an input that is silent for seconds). Every catch_up_every ms
// a group that has read nothing for catch_up_after ms is brought up to date:
// its synapses take the potentiations by the post spikes so far, as their next
// pre spike would have, in the same order on the same values, and count them
// read. The weights so potentiated wait in caught_ until that pre spike, so
// w_ (what recorders, checkpoints' readers and the final weights see) keeps
// NEST's view, and every weight and spike stays bit for bit as before
// (tests/plasticity/stdp_catch_up_test.cpp). Not for stdp_dopamine, whose
// eligibility also follows the modulator between pre spikes.
void stdp_synapses::end_step(step_t k) {
  if (!rule_.potentiate_at_post) {
    if (rule_.kind == plasticity_kind::dopamine || !stdp_catch_up_enabled) return;
    const step_t every = std::max<step_t>(1, std::llround(catch_up_every / h_));
    if ((k + 1) % every != 0) return;
    stdp_update::visit(rule_, [&](const auto& u) {
      for (std::uint32_t g = 0; g < pre_.size(); ++g) {
        // no pre spike of this group still to come reaches the synapses
        // before t: those delivered from step k + 1 on have t >= (k + 1 - 2 d_den) h
        const delay_group grp = store_.group(g);
        if (grp.begin == grp.end) continue;   // a compact row's source without synapses here
        const double t = double(k - 2 * rule_.dendritic_steps(grp.delay)) * h_;
        const double t_read = is_caught_[g] ? caught_.find(g)->second.t_read : pre_[g].t_last;
        if (t_read < t - catch_up_after) catch_up(u, g, t);
      }
      return 0;
    });
    return;
  }
  stdp_update::visit(rule_, [&](const auto& u) {
    if (watching())
      at_post_.end_step(k, at_post_potentiation<true>(u));
    else
      at_post_.end_step(k, at_post_potentiation<false>(u));
    return 0;
  });
}

void stdp_synapses::serialize_caught(state_io& io) {
  std::vector<std::uint32_t> groups;
  std::vector<double> t_read;
  std::vector<std::vector<double>> w;
  for (const auto& [g, c] : caught_) groups.push_back(g), t_read.push_back(c.t_read), w.push_back(c.w);
  io.fields(groups, t_read, w);
  if (!io.loading()) return;
  const auto bad = [] { return std::runtime_error("checkpoint state does not fit this network (STDP catch-up)"); };
  if (t_read.size() != groups.size() || w.size() != groups.size()) throw bad();
  caught_.clear();
  std::fill(is_caught_.begin(), is_caught_.end(), 0);
  for (std::size_t i = 0; i < groups.size(); ++i) {
    if (groups[i] >= is_caught_.size()) throw bad();
    caught_[groups[i]] = {t_read[i], std::move(w[i])};
    is_caught_[groups[i]] = 1;
  }
}

template <class Update>
void stdp_synapses::catch_up(const Update& u, std::uint32_t g, double t) {
  const delay_group& grp = store_.group(g);
  pre_trace& pre = pre_[g];
  // a group that never fired has no pre trace to potentiate by: its synapses
  // only count the post spikes read, and their weights stay in w_
  auto [held, fresh] = caught_.try_emplace(g, caught_group{pre.t_last, {}});
  is_caught_[g] = 1;
  caught_group& c = held->second;
  double* w = nullptr;
  if (pre.r1 != 0.0) {
    if (fresh) c.w.assign(w_.begin() + grp.begin, w_.begin() + grp.end);
    w = c.w.data() - grp.begin;
  }
  const grid_decay::function decay_plus = decay_plus_.fn();
  for (std::uint32_t j = grp.begin; j < grp.end; ++j) {
    const std::uint32_t n = target_[j];
    // deliver_as's reading of the post spikes in (t_read, t]
    archive_.read(n, archive_.entries(n), c.t_read, t, [&](const post_archive::entry& e) {
      if (w) w[j] = u.facilitate(w[j], pre.r1 * decay_plus(e.t - pre.t_last), e.o2_before);
    });
  }
  c.t_read = t;
}

template <bool caught, class Update>
std::uint32_t stdp_synapses::deliver_as(const Update& u, std::uint32_t g, step_t k, double offset, double* const* in,
                                        std::vector<offgrid_event>* offgrid) {
  const delay_group& grp = store_.group(g);
  const step_t dden = rule_.dendritic_steps(grp.delay);
  // the pre spike's time at the synapse, in the post frame (minus d_den): pairs
  // are timed by dt = t_post - t
  const double t = double(k - 2 * dden) * h_ + offset;
  pre_trace& pre = pre_[g];
  constexpr bool triplet = std::is_same_v<Update, stdp_update::triplet>;
  const double r2 = triplet ? pre.r2 * std::exp(-(t - pre.t_last) / rule_.tau_x) : 0.0;
  double* const dest = offgrid ? nullptr : in[grp.receptor];
  if (grp.begin == grp.end) return 0;
  const grid_decay::function decay_plus = decay_plus_.fn(), decay_minus = decay_minus_.fn();
  // the post spikes up to t_read have potentiated already: t_last, or later
  // after a catch-up, whose weights (where it potentiated) wait in caught_
  const auto held = caught ? caught_.find(g) : caught_.end();
  const bool holds_w = caught && !held->second.w.empty();
  const double t_read = caught ? held->second.t_read : pre.t_last;
  const double* const w_from = holds_w ? held->second.w.data() - grp.begin : w_.data();
  // The full update of synapse j, in two parts: potentiation by the post
  // spikes since the group's previous pre spike, with the depression's
  // argument (the post trace before t), then the depression and the transmission.
  struct staged {
    double w;         // after the potentiation
    double o1, dt;    // the depressing post spike's trace o1 and its distance to t: post trace before t o1 e^{-dt/tau_minus}
    bool paired;      // some post spike before t (not always: a quarter of plastic
                      // COBA's first second's pre spikes reach targets yet to fire)
  };
  // `facilitate(w, dt, o2)` applies the potentiation by a post spike dt after
  // the previous pre spike (or, in the power law's block loop, holds it back
  // for the vector rounds and returns w)
  auto walk = [&](std::uint32_t j, auto&& facilitate) __attribute__((always_inline)) {
    const std::uint32_t n = target_[j];
    double w = w_from[j];
    // the post spike whose trace depresses: the latest one before t (a post
    // spike at t does not pair); none (t = -1e300) when there is none
    post_archive::recent& last = archive_.newest_spikes(n);
    post_archive::newest before;
    if (last.t <= t_read && last.t < t) {
      // no post spike since the last pre spike: nothing to potentiate, and the
      // newest post spike gives the depression, without touching the history
      before = {last.t, last.o1};
    } else if (last.t_prev <= t_read && last.t <= t) {
      // one post spike since the last pre spike, the newest: what the history
      // loop below does for one entry, from the dense copy
      if (pre.r1 != 0.0) w = facilitate(w, last.t - pre.t_last, last.o2_before);
      ++last.reads;
      before = last.t < t ? post_archive::newest{last.t, last.o1} : post_archive::newest{last.t_prev, last.o1_prev};
    } else {
      const auto hist = archive_.entries(n);
      // potentiation by the post spikes in (t_read, t], in time order
      const auto it = archive_.read(n, hist, t_read, t, [&](const post_archive::entry& e) __attribute__((always_inline)) {
        if (pre.r1 != 0.0) w = facilitate(w, e.t - pre.t_last, e.o2_before);
      });
      before = last_before(hist, it, t);
    }
    const bool paired = before.t > -1e299;
    return staged{w, before.o1, t - (paired ? before.t : t), paired};
  };
  auto potentiate = [&](std::uint32_t j) __attribute__((always_inline)) {
    return walk(j, [&](double w, double dt, double o2) __attribute__((always_inline)) {
      return u.facilitate(w, pre.r1 * decay_plus(dt), o2);
    });
  };
  // selects, not branches
  auto settle = [&](std::uint32_t j, const staged& s) __attribute__((always_inline)) {
    const double depressed = u.depress(s.w, s.o1 * decay_minus(s.dt), r2);
    put(j, target_[j], s.paired ? depressed : s.w, dest);
  };
  auto update = [&](std::uint32_t j) __attribute__((always_inline)) { settle(j, potentiate(j)); };
  // prefetches for the scalar loop: the targets' dense copies, and for a
  // synapse whose target fired more than once since its last pre spike the
  // history's newest entries (written long ago when the synapse's source is
  // slow), asked for a few synapses ahead. No branches here: mispredictions,
  // not cache misses, were the largest cost of this loop (valgrind
  // --branch-sim; bench/RESULTS.md).
  const std::uint32_t j_last = grp.end - 1;
  auto prefetch_ahead = [&](std::uint32_t j) __attribute__((always_inline)) {
    archive_.prefetch_neuron(target_[std::min(j + 16, j_last)]);
    const std::uint32_t na = target_[std::min(j + 8, j_last)];
    archive_.prefetch_newest(na, archive_.newest_spikes(na).t_prev > t_read);
  };
  // The power law's block of up to 64 synapses (in store order, or the quiet
  // pass's listed ones in order): first the walks, each potentiation held back
  // (its trace r1 e^{-dt/tau_plus}); then the potentiations in rounds, round r
  // taking the r-th post spike of every synapse that has one, eight synapses
  // at a time (facilitate8: a synapse's own in time order, as the scalar
  // rule's facilitate with the twin pow_vec: the same bits); then the
  // depressions eight at a time, and the transmissions in order. Rounds over
  // 64 synapses, not 8, keep the vectors full: half of brunel_stdp's synapses
  // have no post spike to potentiate (bench/RESULTS.md).
  constexpr std::uint32_t block = power_block_size;
  auto power_block = [&](const std::uint32_t* js, std::uint32_t m, bool ahead) __attribute__((always_inline)) {
    if constexpr (std::is_same_v<Update, stdp_update::power_law>) {
      alignas(64) double w[power_block_size], o1[power_block_size], dt[power_block_size], depressed[power_block_size];
      bool paired[power_block_size];
      std::uint32_t first[power_block_size + 1];
      std::uint8_t lanes[power_block_size];
      held_.clear();
      for (std::uint32_t i = 0; i < m; ++i) {
        if (ahead) prefetch_ahead(js[i]);
        first[i] = static_cast<std::uint32_t>(held_.size());
        const staged s = walk(js[i], [&](double w0, double dt, double) __attribute__((always_inline)) {
          held_.push_back(dt);
          return w0;
        });
        w[i] = s.w;
        o1[i] = s.o1;
        dt[i] = s.dt;
        paired[i] = s.paired;
      }
      first[m] = static_cast<std::uint32_t>(held_.size());
      std::uint32_t active = 0;
      for (std::uint32_t i = 0; i < m; ++i) {
        lanes[active] = static_cast<std::uint8_t>(i);
        active += first[i + 1] > first[i];
      }
      for (std::uint32_t r = 0; active > 0; ++r) {
        for (std::uint32_t a = 0; a < active; a += 8) {
          const std::uint32_t n = std::min<std::uint32_t>(8, active - a);
          alignas(64) double wl[8], dl[8];
          for (std::uint32_t l = 0; l < 8; ++l) {
            const std::uint32_t i = lanes[a + std::min(l, n - 1)];   // lanes past the list: a copy of the last
            wl[l] = w[i];
            dl[l] = held_[first[i] + r];
          }
          facilitate8(u, decay_plus, pre.r1, dl, wl);
          for (std::uint32_t l = 0; l < n; ++l) w[lanes[a + l]] = wl[l];
        }
        std::uint32_t kept = 0;   // the synapses with another post spike
        for (std::uint32_t a = 0; a < active; ++a) {
          lanes[kept] = lanes[a];
          kept += first[lanes[a] + 1] - first[lanes[a]] > r + 1;
        }
        active = kept;
      }
      for (std::uint32_t i = m; i < (m + 7) / 8 * 8; ++i) {   // lanes past the block: any finite weight
        w[i] = u.w_max;
        o1[i] = 0.0;
        dt[i] = 0.0;
      }
      for (std::uint32_t i = 0; i < m; i += 8) depress8(u, decay_minus, o1 + i, dt + i, w + i, depressed + i);
      for (std::uint32_t i = 0; i < m; ++i) put(js[i], target_[js[i]], paired[i] ? depressed[i] : w[i], dest);
    }
  };
  [[maybe_unused]] constexpr bool power = std::is_same_v<Update, stdp_update::power_law>;
  bool took_pass = false;   // the quiet pass took the group
  if constexpr (stdp_quiet_pass_for<Update>) {
    // (a group narrower than a vector, as a Poisson input's single synapse in
    // song2000, is faster in the scalar loop: deliver 0.52 -> 0.66 s)
    // (not for a caught-up group's weights held in caught_: the pass reads w_)
    if (stdp_simd_enabled && decay_minus.on_grid && grp.end - grp.begin >= 8 && !holds_w) {
      // the quiet synapses eight at a time, then the listed rest in order
      const std::uint32_t listed = depress_quiet(u, r2, target_.data(), w_.data(), grp.begin, grp.end,
                                                 archive_.newest_times(), t, t_read, decay_minus, dest,
                                                 rest_.data());
      // the listed synapses' dense copies and history headers, all at once,
      // then (once those have come) their histories' newest entries: the
      // history reads of ~10% of plastic COBA's events had cost 300 cycles
      // each with the prefetches a few synapses ahead (bench/RESULTS.md)
      const std::uint32_t* const rest = rest_.data();
      for (std::uint32_t i = 0; i < listed; ++i) archive_.prefetch_neuron(target_[rest[i]]);
      for (std::uint32_t i = 0; i < listed; ++i) {
        const std::uint32_t n = target_[rest[i]];
        archive_.prefetch_newest(n, archive_.newest_spikes(n).t_prev > t_read);
      }
#if defined(APICAL_STDP_QUIET_PASS)
      if constexpr (power)
        for (std::uint32_t i = 0; i < listed; i += block) power_block(rest + i, std::min(block, listed - i), false);
      else
#endif
        for (std::uint32_t i = 0; i < listed; ++i) update(rest[i]);
      took_pass = true;
    }
  }
  if (!took_pass) {
    if constexpr (power) {
      if (stdp_simd_enabled) {
        alignas(64) std::uint32_t js[block];
        for (std::uint32_t j0 = grp.begin; j0 < grp.end; j0 += block) {
          const std::uint32_t m = std::min(block, grp.end - j0);
          for (std::uint32_t i = 0; i < m; ++i) js[i] = j0 + i;
          power_block(js, m, true);
        }
        took_pass = true;
      }
    }
  }
  if (!took_pass)
    for (std::uint32_t j = grp.begin; j < grp.end; ++j) {
      prefetch_ahead(j);
      update(j);
    }
  sent(grp, k, offset, offgrid);
  // the pre traces take this spike
  const bool nearest = rule_.pairing == stdp_pairing::nearest;
  const double r1 = pre.r1 * decay_plus(t - pre.t_last);
  pre.r1 = nearest ? 1.0 : r1 + 1.0;
  pre.r2 = nearest ? 1.0 : r2 + 1.0;
  pre.t_last = t;
  if constexpr (caught) {
    caught_.erase(held);
    is_caught_[g] = 0;
  }
  return grp.end - grp.begin;
}

std::uint32_t stdp_synapses::deliver_dopamine(std::uint32_t g, step_t k, double offset, double* const* in,
                                              std::vector<offgrid_event>* offgrid) {
  const delay_group& grp = store_.group(g);
  const step_t dden = rule_.dendritic_steps(grp.delay);
  const double t = double(k - 2 * dden) * h_ + offset;   // post frame, as deliver()
  const double shift = double(dden) * h_;                 // synapse frame = post frame + shift
  pre_trace& pre = pre_[g];
  const bool fired = pre.t_last > -1e299;
  const double tau_c = rule_.tau_c, tau_n = rule_.tau_n, b = rule_.b;
  const double tau_s = tau_c * tau_n / (tau_c + tau_n);
  const stdp_update::eligibility u{rule_.A_plus, rule_.A_minus};
  // the first modulator spike after the group's last update (shared by its synapses)
  std::size_t first = mod_head_;
  while (first < mod_.size() && mod_[first].t - shift <= pre.t_last) ++first;
  const double n_last =
      first > mod_head_ ? mod_[first - 1].n * std::exp(-(pre.t_last - (mod_[first - 1].t - shift)) / tau_n) : 0.0;
  double* const dest = offgrid ? nullptr : in[grp.receptor];
  for (std::uint32_t j = grp.begin; j < grp.end; ++j) {
    const std::uint32_t n = target_[j];
    double w = w_[j], c = c_[j];
    double tc = pre.t_last, conc = n_last;
    std::size_t m = first;
    // closed-form propagation of (c, n, w) over a gap without events
    auto gap = [&](double dt) {
      if (dt <= 0.0) return;
      w += c * (conc * tau_s * -std::expm1(-dt / tau_s) - b * tau_c * -std::expm1(-dt / tau_c));
      w = std::clamp(w, rule_.w_min, rule_.w_max);
      c *= std::exp(-dt / tau_c);
      conc *= std::exp(-dt / tau_n);
    };
    auto advance_to = [&](double t1) {
      for (; m < mod_.size() && mod_[m].t - shift <= t1; ++m) {
        gap(mod_[m].t - shift - tc);
        tc = mod_[m].t - shift;
        conc = mod_[m].n;
      }
      gap(t1 - tc);
      tc = t1;
    };
    const auto hist = archive_.entries(n);
    // post spikes since the last pre spike raise c
    const auto it = archive_.read(n, hist, pre.t_last, t, [&](const post_archive::entry& e) {
      if (!fired) return;
      advance_to(e.t);
      c = u.facilitate(c, pre.r1 * std::exp(-(e.t - pre.t_last) / rule_.tau_plus), 0.0);
    });
    if (fired) advance_to(t);
    // the pre spike lowers c by the post trace just before t
    if (const auto before = last_before(hist, it, t); before.t > -1e299)
      c = u.depress(c, before.o1 * std::exp(-(t - before.t) / rule_.tau_minus), 0.0);
    c_[j] = c;
    put(j, n, w, dest);
  }
  sent(grp, k, offset, offgrid);
  pre.r1 = pre.r1 * std::exp(-(t - pre.t_last) / rule_.tau_plus) + 1.0;
  pre.t_last = t;
  return grp.end - grp.begin;
}

void stdp_synapses::on_modulator(step_t step, double offset) {
  const double t = double(step) * h_ + offset;
  double n = 1.0 / rule_.tau_n;   // NEST's volume transmitter: each spike adds 1/tau_n
  if (mod_.size() > mod_head_) n += mod_.back().n * std::exp(-(t - mod_.back().t) / rule_.tau_n);
  mod_.push_back({t, n});
  if (mod_.size() - mod_head_ >= mod_prune_at_) prune_modulator();
}

void stdp_synapses::prune_modulator() {
  // every future update of a group starts at its last pre spike (synapse
  // frame t_last + d_den); groups that never fired have c = 0 and read nothing
  double oldest = 1e300;
  for (std::uint32_t g = 0; g < pre_.size(); ++g)
    if (pre_[g].t_last > -1e299)
      oldest = std::min(oldest, pre_[g].t_last + double(rule_.dendritic_steps(store_.group(g).delay)) * h_);
  // keep the last spike at or before `oldest`: it gives n there
  while (mod_head_ + 1 < mod_.size() && mod_[mod_head_ + 1].t <= oldest) ++mod_head_;
  if (mod_head_ * 2 >= mod_.size()) {
    mod_.erase(mod_.begin(), mod_.begin() + static_cast<std::ptrdiff_t>(mod_head_));
    mod_head_ = 0;
  }
  mod_prune_at_ = std::max<std::size_t>(64, 2 * (mod_.size() - mod_head_));
}

std::size_t stdp_synapses::bytes() const {
  return plastic_synapses::bytes() + c_.capacity() * sizeof(double) + rest_.capacity() * sizeof(std::uint32_t) +
         held_.capacity() * sizeof(double) + is_caught_.capacity() +
         pre_.capacity() * sizeof(pre_trace) + archive_.bytes() + at_post_.bytes() + caught_bytes() +
         (mod_.size() - mod_head_) * sizeof(modulator_spike);
}

}  // namespace apical
