#pragma once
// Dendritic prediction plasticity (Urbanczik & Senn 2014) onto the dendrite of
// pyramidal_2c neurons, updated event-based at presynaptic spikes from the
// neuron's archived history (Stapmanns et al. 2021; NEST urbanczik_synapse).
//
// The dendrite predicts the soma: V*_w = (g_L E_L + g_sp V_d) / (g_L + g_sp).
// With S(t) the neuron's spike train, phi its rate function and
// h(u) = d ln phi / du, the plasticity induction of synapse i is
//   PI_i(t) = [S(t) - phi(V*_w(t))] h(V*_w(t)) PSP_i(t),
// PSP_i(t) = sum_spikes K(t - t_arrival), K(s) = tau_s / (g_L_d (tau_L - tau_s)) (e^{-s/tau_L} - e^{-s/tau_s})
// the dendritic potential per pA of weight [mV/pA] (tau_L = C_d / g_L_d, tau_s
// the receptor's current time constant; t_arrival = t_pre + delay, when the
// current starts). The weight follows PI low-pass filtered with tau_Delta:
//   dw_i/dt = eta kappa Delta_i,   tau_Delta dDelta_i/dt = -Delta_i + PI_i,
// i.e. w_i(T) = w_i(0) + eta kappa (I_i(T) - E_i(T)) with I_i = int_0^T PI_i and
// E_i = int_0^T e^{-(T - t)/tau_Delta} PI_i, then clipped to [w_min, w_max]
// (the integrals are not: as NEST). kappa = 225 C_d [pF] is NEST's scaling
// (its h carries a factor 15, its weight update 15 C_m), so NEST's learning
// rates carry over (eta = 0.17 in its Fig. 1B example).
//
// On the h grid the neuron appends, after each step j, the entry
// dPI_j = (n_j - phi(V*_j) h) h(V*_j) (n_j: its spikes in the step, V*_j at the
// step's end, t_j = (j + 1) h). A pre spike arriving in step k (T = k h) adds
// the entries of the steps since its previous arrival k0, each weighted by
// K(t_j - arrivals): the kernel values are the same for every synapse of a
// delay group (one source, one delay), so they are computed once per group and
// each synapse takes two dot products with its target's history. Entries are
// dropped once no synapse onto the neuron needs them (synapses that never
// received a spike need none: their PSP is zero).
#include <cstdint>
#include <vector>

#include "neurons/pyramidal_2c.hpp"
#include "plasticity/plastic_synapses.hpp"
#include "plasticity/stdp.hpp"

namespace apical {

class urbanczik_synapses final : public plastic_synapses {
 public:
  /// `V_d`: the dendritic potentials of the partition's `neurons` neurons (the
  /// population's array from the partition's first neuron on); `tau_s`: the
  /// receptor's current time constant [ms].
  urbanczik_synapses(const plasticity_params& rule, const pyramidal_2c_params& neuron, double tau_s, const double* V_d,
                     std::uint32_t projection, synapse_store&& store, std::size_t neurons, double h);

  std::uint32_t deliver(std::uint32_t g, step_t k, double offset, double* const* in, std::vector<offgrid_event>* offgrid) override;
  void on_post(std::uint32_t n, step_t, double) override { ++spikes_[n]; }
  void end_step(step_t k) override;
  std::size_t bytes() const override;
  void serialize(state_io& io) override {
    plastic_synapses::serialize(io);
    io.fields(I_, E_, pre_, spikes_);
    for (auto& h : hist_) io.fields(h.dPI, h.need, h.head, h.first);
  }

 private:
  struct pre_trace {
    step_t k_last = -1;          // step of the last arrival (-1: none yet)
    double x_L = 0.0, x_s = 0.0;   // sum over arrivals of e^{-(T - t_a)/tau}, just after the last arrival
  };
  struct history {
    std::vector<double> dPI;            // entries of steps [first, first + size)
    std::vector<std::uint32_t> need;    // per step from first, one more than dPI: synapses whose next window starts there
    std::size_t head = 0;               // first live entry
    step_t first = 0;                   // step of entry `head`
  };
  void prune(history& hist);
  void step_time_driven();
  /// dPI of local neuron n for the step just finished: (n_spikes - phi(V*_w) h) h(V*_w); clears its spike count.
  double take_dPI(std::size_t n);
  /// Extends the tables of e^{-i h/tau} to i < n.
  void grow_powers(std::size_t n);

  plasticity_params rule_;
  pyramidal_2c_params neuron_;
  const double* V_d_;
  double tau_s_;                    // ms, the receptor's current time constant
  double c_;                        // K's amplitude tau_s / (g_L_d (tau_L - tau_s)), mV/pA
  double scale_;                    // eta kappa
  std::vector<float> w0_;           // initial weights
  std::vector<double> I_, E_;       // per synapse: integral of PI, and of PI low-pass weighted
  std::vector<pre_trace> pre_;
  std::vector<history> hist_;
  std::vector<std::uint32_t> readers_, spikes_;
  std::vector<double> kernel_, kernel_Delta_;   // per delivery: K and K e^{-(T - t)/tau_Delta} over the window
  std::vector<double> pow_L_, pow_s_, pow_Delta_;   // e^{-i h/tau} for tau_L, tau_s, tau_Delta
  std::vector<double> dPI_now_;                 // time-driven: this step's dPI per neuron
};

}  // namespace apical
