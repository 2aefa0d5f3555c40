#pragma once
// The exact back-prop reference for the dendritic microcircuit: the rate MLP
// the microcircuit computes in its self-predicting state without nudging,
//   a_k = c_k W_k r_{k-1},  r_k = phi(a_k),  r_0 = x,
// with c_k the basal attenuation of the somatic prediction (g_B/(g_lk+g_B+g_A)
// in hidden layers, g_B/(g_lk+g_B) at the output). Its loss is the one whose
// gradient the microcircuit follows for weak nudging (Sacramento et al. 2018,
// SM theorem): at the output dL/da_N = -phi'(a_N) (t - a_N), the Bregman
// divergence L = sum_i Phi(t_i) - Phi(a_i) - phi(a_i) (t_i - a_i) of Phi, the
// antiderivative of phi (>= 0, zero at a = t); hidden layers by exact
// back-prop, delta_k = phi'(a_k) .* (c_{k+1} W_{k+1}^T delta_{k+1}).
#include <vector>

#include <Eigen/Dense>

#include "neurons/microcircuit_cells.hpp"

namespace apical {

class backprop_mlp {
 public:
  /// `weights[k-1]` = W_k (n_k x n_{k-1}), k = 1..N.
  backprop_mlp(const microcircuit_params& cell, std::vector<Eigen::MatrixXd> weights);

  /// Forward pass: fills a_k and r_k; returns r_N.
  const Eigen::VectorXd& forward(const Eigen::VectorXd& x);
  /// dL/dW_k for target potentials t at input x (k = 1..N, in [k-1]).
  std::vector<Eigen::MatrixXd> gradient(const Eigen::VectorXd& x, const Eigen::VectorXd& t);
  /// One step of gradient descent with learning rate lr per layer.
  void train(const Eigen::VectorXd& x, const Eigen::VectorXd& t, const std::vector<double>& lr);

  /// Output potentials a_N of the last forward pass.
  const Eigen::VectorXd& output_potential() const { return a_.back(); }
  double gain(std::size_t k) const { return k == W_.size() ? cell_.basal_output() : cell_.basal_hidden(); }

 private:
  microcircuit_params cell_;
  std::vector<Eigen::MatrixXd> W_;
  std::vector<Eigen::VectorXd> a_, r_;   // a_[k-1] = a_k; r_[k] = r_k (r_[0] = x)
};

}  // namespace apical
