#pragma once
// The dendritic cortical microcircuit of Sacramento, Costa, Bengio & Senn
// (2018) in rate mode: layers of three-compartment pyramidal neurons
// (neurons/microcircuit_cells.hpp) with one interneuron per pyramidal neuron
// of the layer above, integrated by forward Euler with step dt, and the four
// plasticity rules (plasticity/microcircuit_rules.hpp) running all the time:
//   forward PP  dW_up_k/dt   = eta_up_k   (phi(u_k) - phi(v_B_hat_k)) r_{k-1}^T
//   IP          dW_IP_k/dt   = eta_IP_k   (phi(u_I_k) - phi(v_I_hat_k)) r_k^T
//   PI          dW_PI_k/dt   = eta_PI_k   (v_rest - v_A_k) r_I_k^T,  v_rest = 0
//   top-down    dW_down_k/dt = eta_down_k (phi(u_k) - phi(W_down_k r_{k+1})) r_{k+1}^T  (feedback "learned")
// each induction low-pass filtered with tau_w before it changes the weight
// (tau_w = 0: not filtered). Feedback (W_down) is the transpose of the forward
// weights above ("symmetric", weight transport), fixed random ("random",
// feedback alignment, Lillicrap et al. 2016), or learned by the top-down rule.
// Layer 0 is the input: its rates r_0 are the example's values.
//
// Steady-state integration (`steady_state`, rate mode; the paper's MNIST
// simulation): instead of Euler steps an example is settled in two passes, a
// forward pass without feedback (u_k = v_B_hat_k), the output nudged to its
// fixed point u_N = (g_B v_B + g_som t)/(g_lk + g_B + g_som), then from the top
// down the interneurons (u_I = (g_D v_I + g_som_I u_above)/(g_lk + g_D + g_som_I))
// and the hidden somata (u_k = (g_B v_B + g_A v_A)/(g_lk + g_B + g_A)); the
// rules then act once with the inductions of that state times the presentation
// time. It drops the transients and the lower layers' effect on the upper ones
// through their changed rates (second order in the feedback).
//
// Spiking mode (`spiking`): every pyramidal neuron and interneuron fires in a
// step with probability 1 - exp(-rate_scale phi(u) dt) (Poisson, as
// pyramidal_2c), and what the dendrites and the synapses see as the rate of a
// neuron is its spike train low-pass filtered with tau_r and divided by
// rate_scale (so its mean is phi(u)); the postsynaptic factors of the rules stay
// the neuron's own phi(u) - phi(v_hat). The input layer stays a rate.
//
// Spiking mode with steady-state settling (both set): the two passes above,
// but every neuron's output is the spike count of a Poisson process at
// rate_scale phi(u) over the presentation, divided by rate_scale times its
// length (an ideal integrator of the spike train, mean phi(u)): each layer's
// count is drawn once its potential has settled (forward pass, then again
// after the top-down pass), and the dendrites and the rules see the counts. No
// dynamics in time: the spike noise of a presentation, not its transients.
#include <cstdint>
#include <vector>

#include <Eigen/Dense>

#include "core/rng.hpp"
#include "neurons/microcircuit_cells.hpp"

namespace apical {

enum class feedback_mode { symmetric, random, learned };

struct dendritic_microcircuit_config {
  std::vector<std::size_t> sizes;        ///< n_0 (inputs), n_1, ..., n_N
  microcircuit_params cell;
  feedback_mode feedback = feedback_mode::symmetric;
  std::vector<double> eta_up;            ///< per layer 1..N
  std::vector<double> eta_IP, eta_PI;    ///< per hidden layer 1..N-1
  std::vector<double> eta_down;          ///< per hidden layer, feedback "learned"
  double tau_w = 0.0;                    ///< ms, low-pass filter of the weight increments (0: none)
  double dt = 0.1;                       ///< ms, Euler step
  double sigma = 0.0;                    ///< somatic noise (std of sigma sqrt(dt) per step)
  double init_range = 1.0;               ///< initial weights uniform in +-init_range / sqrt(n_in)
  bool steady_state = false;             ///< rate mode: settle each example in two passes instead of Euler steps (see above)
  bool spiking = false;                  ///< spiking mode: neurons emit Poisson spikes at rate_scale phi(u)
  double rate_scale = 0.1;               ///< spikes per ms per unit of phi (spiking mode)
  double tau_r = 10.0;                   ///< ms, filter of the spike trains that dendrites and synapses see
  std::uint64_t seed = 1;
};

/// A rows x cols matrix of draws uniform in [-a, a) from `rng` (column-major order).
Eigen::MatrixXd uniform_matrix(std::size_t rows, std::size_t cols, double a, stream_engine& rng);

class dendritic_microcircuit {
 public:
  explicit dendritic_microcircuit(const dendritic_microcircuit_config& c);

  std::size_t layers() const { return N_; }
  const dendritic_microcircuit_config& config() const { return c_; }
  /// Multiplies every plasticity rate (eta_up, eta_IP, eta_PI, eta_down) by f (a schedule's step).
  void scale_learning_rates(double f) {
    for (auto* etas : {&c_.eta_up, &c_.eta_IP, &c_.eta_PI, &c_.eta_down})
      for (double& eta : *etas) eta *= f;
  }

  /// Weights, index k-1 for layer k: W_up (n_k x n_{k-1}, k = 1..N); W_down,
  /// W_PI (n_k x n_{k+1}), W_IP (n_{k+1} x n_k) for hidden k = 1..N-1.
  std::vector<Eigen::MatrixXd> W_up, W_down, W_IP, W_PI;
  /// Somatic potentials: u[k-1] of pyramidal layer k, u_I[k-1] of interneuron layer k.
  std::vector<Eigen::VectorXd> u, u_I;

  /// Sets W_IP and W_PI to the self-predicting state of the current forward
  /// and feedback weights: W_PI = -W_down, W_IP = c_{k+1} (g_lk + g_D)/g_D W_up_{k+1}.
  void set_self_predicting();
  /// Feedback weights in effect for hidden layer k (W_up_{k+1}^T when symmetric).
  Eigen::MatrixXd feedback(std::size_t k) const;

  /// Presents input x for `duration` ms, nudging the output towards target
  /// potentials `target` (null: no target), with plasticity when `learn`.
  void present(const Eigen::VectorXd& x, const Eigen::VectorXd* target, double duration, bool learn);
  /// Steady-state mode: settles the network on x (and the target) in two
  /// passes; in spiking mode the spike counts are those of `duration` ms.
  void settle(const Eigen::VectorXd& x, const Eigen::VectorXd* target, double duration);
  /// One Euler step.
  void step(const Eigen::VectorXd& x, const Eigen::VectorXd* target, bool learn);

  /// Apical potential of hidden layer k at the current state.
  Eigen::VectorXd apical(std::size_t k, const Eigen::VectorXd& x) const;
  /// Plasticity inductions of the forward weights at the current state (layer k in [k-1]).
  std::vector<Eigen::MatrixXd> forward_inductions(const Eigen::VectorXd& x) const;
  /// Presents x with target for `duration` ms without plasticity and returns the
  /// forward inductions averaged over the second half (the update the
  /// presentation would make, per ms; in spiking mode the average removes most
  /// of the spike noise).
  std::vector<Eigen::MatrixXd> mean_forward_inductions(const Eigen::VectorXd& x, const Eigen::VectorXd& target, double duration);
  /// What the output layer sends on now: phi(u_N), or in spiking mode its
  /// filtered spike train or spike count (divided by rate_scale).
  Eigen::VectorXd output_rate(const Eigen::VectorXd& x) const { return rate(N_, x); }
  /// Output potentials of the feed-forward pass (the self-predicting network without nudging).
  Eigen::VectorXd predict_potential(const Eigen::VectorXd& x) const;

 private:
  Eigen::VectorXd phi(const Eigen::VectorXd& v) const { return v.unaryExpr([this](double a) { return c_.cell.phi(a); }); }
  double gain(std::size_t k) const { return k == N_ ? c_.cell.basal_output() : c_.cell.basal_hidden(); }
  /// What synapses see of layer k: the input, phi(u), or the filtered spike train.
  Eigen::VectorXd rate(std::size_t k, const Eigen::VectorXd& x) const {
    return k == 0 ? x : c_.spiking ? trace_[k - 1] : phi(u[k - 1]);
  }
  /// The top-down input to hidden layer k's apical dendrites from rates r_above.
  Eigen::VectorXd top_down(std::size_t k, const Eigen::VectorXd& r_above) const;
  Eigen::VectorXd interneuron_rate(std::size_t k) const { return c_.spiking ? trace_I_[k - 1] : phi(u_I[k - 1]); }
  /// Spiking mode: draws the spikes of potentials v and updates the trace.
  void spike(const Eigen::VectorXd& v, Eigen::VectorXd& trace);
  /// Spiking steady state: the rates seen downstream of potentials v, from
  /// Poisson spike counts over `duration` ms.
  void count_spikes(const Eigen::VectorXd& v, double duration, Eigen::VectorXd& rate);

  dendritic_microcircuit_config c_;
  std::size_t N_;
  stream_engine noise_;   // somatic noise, stream (seed, microcircuit, 1)
  stream_engine spikes_;  // spiking mode, stream (seed, microcircuit, 2)
  std::vector<Eigen::VectorXd> trace_, trace_I_;   // spiking mode: filtered spike trains / rate_scale
  // low-pass filtered inductions (tau_w > 0)
  std::vector<Eigen::MatrixXd> F_up_, F_down_, F_IP_, F_PI_;
};

}  // namespace apical
