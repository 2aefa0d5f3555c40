#include "plasticity/urbanczik_synapses.hpp"

#include <algorithm>
#include <cmath>

namespace apical {

namespace {

/// (sum a_i d_i, sum b_i d_i) over i < n, in eight interleaved partial sums
/// added in a fixed order: vectorisable, and the same numbers on any thread.
std::pair<double, double> dot2(const double* __restrict a, const double* __restrict b, const double* __restrict d,
                               std::size_t n) {
  constexpr std::size_t L = 8;
  double sa[L] = {}, sb[L] = {};
  std::size_t i = 0;
  for (; i + L <= n; i += L)
    for (std::size_t l = 0; l < L; ++l) {
      sa[l] += a[i + l] * d[i + l];
      sb[l] += b[i + l] * d[i + l];
    }
  for (std::size_t l = 0; i < n; ++i, ++l) {
    sa[l] += a[i] * d[i];
    sb[l] += b[i] * d[i];
  }
  double x = 0.0, y = 0.0;
  for (std::size_t l = 0; l < L; ++l) x += sa[l], y += sb[l];
  return {x, y};
}

}  // namespace

urbanczik_synapses::urbanczik_synapses(const plasticity_params& rule, const pyramidal_2c_params& neuron, double tau_s,
                                       const double* V_d, std::uint32_t projection, synapse_store&& store, std::size_t neurons,
                                       double h)
    : plastic_synapses(projection, std::move(store), h), rule_(rule), neuron_(neuron), V_d_(V_d), tau_s_(tau_s) {
  const double tau_L = neuron.tau_L_d();
  c_ = tau_s / (neuron.g_L_d * (tau_L - tau_s));
  grow_powers(2);   // [1]: the one-step decays of the time-driven update
  scale_ = rule.eta * 225.0 * neuron.C_d;
  w0_.assign(w_.begin(), w_.end());
  I_.assign(w_.size(), 0.0);
  E_.assign(w_.size(), 0.0);
  pre_.assign(store_.group_count(), {});
  hist_.resize(neurons);
  for (auto& hs : hist_) hs.need.assign(1, 0);
  readers_ = in_degrees(neurons);
  spikes_.assign(neurons, 0);
}

double urbanczik_synapses::take_dPI(std::size_t n) {
  const double v = neuron_.prediction(V_d_[n]);
  const double dPI = (double(spikes_[n]) - neuron_.phi(v) * h_) * neuron_.log_slope(v);
  spikes_[n] = 0;
  return dPI;
}

void urbanczik_synapses::step_time_driven() {
  dPI_now_.resize(spikes_.size());
  for (std::size_t n = 0; n < spikes_.size(); ++n) dPI_now_[n] = take_dPI(n);
  const double P_L = pow_L_[1], P_s = pow_s_[1], P_Delta = pow_Delta_[1];
  for (std::uint32_t g = 0; g < pre_.size(); ++g) {
    pre_trace& pre = pre_[g];
    if (pre.k_last < 0) continue;   // no spike yet: PSP zero
    pre.x_L *= P_L;                 // now at the step's end
    pre.x_s *= P_s;
    const double psp = c_ * (pre.x_L - pre.x_s);
    const delay_group& grp = store_.group(g);
    for (std::uint32_t j = grp.begin; j < grp.end; ++j) {
      const double PI = psp * dPI_now_[target_[j]];
      I_[j] += PI;
      E_[j] = E_[j] * P_Delta + PI;
    }
  }
}

void urbanczik_synapses::end_step(step_t k) {
  if (rule_.time_driven) return step_time_driven();
  for (std::size_t n = 0; n < hist_.size(); ++n) {
    if (readers_[n] == 0) continue;
    history& hs = hist_[n];
    if (hs.dPI.size() == hs.head) hs.first = k;   // empty: the history restarts here
    hs.dPI.push_back(take_dPI(n));
    hs.need.push_back(0);
    prune(hs);
  }
}

void urbanczik_synapses::prune(history& hs) {
  // entries before every synapse's next window are read by nobody
  while (hs.head < hs.dPI.size() && hs.need[hs.head] == 0) {
    ++hs.head;
    ++hs.first;
  }
  if (hs.head >= 1024 && hs.head * 2 >= hs.dPI.size()) {
    hs.dPI.erase(hs.dPI.begin(), hs.dPI.begin() + static_cast<std::ptrdiff_t>(hs.head));
    hs.need.erase(hs.need.begin(), hs.need.begin() + static_cast<std::ptrdiff_t>(hs.head));
    hs.head = 0;
  }
}

std::uint32_t urbanczik_synapses::deliver(std::uint32_t g, step_t k, double offset, double* const* in,
                                          std::vector<offgrid_event>* offgrid) {
  const delay_group& grp = store_.group(g);
  pre_trace& pre = pre_[g];
  if (rule_.time_driven) {   // the integrals are current: add the arrival to the traces, send the weight
    pre.x_L = pre.k_last < 0 ? 1.0 : pre.x_L + 1.0;
    pre.x_s = pre.k_last < 0 ? 1.0 : pre.x_s + 1.0;
    pre.k_last = k;
    double* const dest = offgrid ? nullptr : in[grp.receptor];
    for (std::uint32_t j = grp.begin; j < grp.end; ++j)
      put(j, target_[j], std::clamp(double(w0_[j]) + scale_ * (I_[j] - E_[j]), rule_.w_min, rule_.w_max), dest);
    sent(grp, k, offset, offgrid);
    return grp.end - grp.begin;
  }
  const step_t k0 = pre.k_last;
  const std::size_t len = k0 >= 0 ? static_cast<std::size_t>(k - k0) : 0;
  double E_decay = 1.0;
  if (len > 0) {
    // the window's entries j = k0 .. k-1 (t_j = (j+1) h): K(t_j - arrivals) and
    // the same times e^{-(T - t_j)/tau_Delta}, T = k h
    kernel_.resize(len);
    kernel_Delta_.resize(len);
    grow_powers(len + 1);
    const double xL = pre.x_L, xs = pre.x_s, c = c_;
    const double* __restrict pL = pow_L_.data() + 1;
    const double* __restrict ps = pow_s_.data() + 1;
    const double* __restrict pD = pow_Delta_.data();
    double* __restrict kern = kernel_.data();
    double* __restrict kernD = kernel_Delta_.data();
    for (std::size_t i = 0; i < len; ++i) {
      kern[i] = c * (xL * pL[i] - xs * ps[i]);
      kernD[i] = kern[i] * pD[len - 1 - i];
    }
    E_decay = pow_Delta_[len];
  }
  double* const dest = offgrid ? nullptr : in[grp.receptor];
  for (std::uint32_t j = grp.begin; j < grp.end; ++j) {
    const std::uint32_t n = target_[j];
    history& hs = hist_[n];
    if (len > 0) {
      const double* d = hs.dPI.data() + hs.head + static_cast<std::size_t>(k0 - hs.first);
      const auto [I, dE] = dot2(kernel_.data(), kernel_Delta_.data(), d, len);
      I_[j] += I;
      E_[j] = E_decay * E_[j] + dE;
    }
    if (k0 >= 0) --hs.need[hs.head + static_cast<std::size_t>(k0 - hs.first)];
    // the next window starts at this arrival; the history ends at step k - 1
    if (hs.dPI.size() == hs.head) hs.first = k;
    ++hs.need[hs.head + static_cast<std::size_t>(k - hs.first)];
    const double w = std::clamp(double(w0_[j]) + scale_ * (I_[j] - E_[j]), rule_.w_min, rule_.w_max);
    put(j, n, w, dest);
  }
  sent(grp, k, offset, offgrid);
  // the pre traces take this arrival
  if (len > 0) {
    pre.x_L *= pow_L_[len];
    pre.x_s *= pow_s_[len];
  }
  pre.x_L += 1.0;
  pre.x_s += 1.0;
  pre.k_last = k;
  return grp.end - grp.begin;
}

void urbanczik_synapses::grow_powers(std::size_t n) {
  if (pow_L_.size() >= n) return;
  const std::size_t m = std::max(n, 2 * pow_L_.size());
  const double tau_L = neuron_.tau_L_d();
  for (std::size_t i = pow_L_.size(); i < m; ++i) {
    pow_L_.push_back(std::exp(-double(i) * h_ / tau_L));
    pow_s_.push_back(std::exp(-double(i) * h_ / tau_s_));
    pow_Delta_.push_back(std::exp(-double(i) * h_ / rule_.tau_Delta));
  }
}

std::size_t urbanczik_synapses::bytes() const {
  std::size_t b = plastic_synapses::bytes() + w0_.capacity() * sizeof(float) + (I_.capacity() + E_.capacity()) * sizeof(double) +
                  pre_.capacity() * sizeof(pre_trace);
  for (const auto& hs : hist_) b += hs.dPI.capacity() * sizeof(double) + hs.need.capacity() * sizeof(std::uint32_t);
  return b;
}

}  // namespace apical
