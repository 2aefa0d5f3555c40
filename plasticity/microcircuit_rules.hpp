#pragma once
// The plasticity inductions of the dendritic cortical microcircuit
// (Sacramento et al. 2018, eqs. 7-10): each the postsynaptic mismatch between
// the somatic rate and a dendritic prediction of it, times the presynaptic rate,
//   dW/dt = eta (phi(u) - phi(v_hat)) r_pre^T
// (the apical rule drives the apical potential to rest instead). The network
// (models/dendritic_microcircuit.hpp) filters and applies them.
#include <Eigen/Dense>

#include "neurons/microcircuit_cells.hpp"

namespace apical {

/// Forward (basal) PP: (phi(u) - phi(v_B_hat)) r_pre^T; v_B_hat the attenuated basal potential.
inline Eigen::MatrixXd forward_induction(const microcircuit_params& p, const Eigen::VectorXd& u, const Eigen::VectorXd& v_B_hat,
                                         const Eigen::VectorXd& r_pre) {
  const Eigen::VectorXd post = u.unaryExpr([&p](double a) { return p.phi(a); }) - v_B_hat.unaryExpr([&p](double a) { return p.phi(a); });
  return post * r_pre.transpose();
}

/// Pyramidal-to-interneuron IP: (phi(u_I) - phi(g_D/(g_lk + g_D) v_I)) r_P^T.
inline Eigen::MatrixXd interneuron_induction(const microcircuit_params& p, const Eigen::VectorXd& u_I, const Eigen::VectorXd& v_I,
                                             const Eigen::VectorXd& r_P) {
  const double c = p.interneuron_gain();
  const Eigen::VectorXd post =
      u_I.unaryExpr([&p](double a) { return p.phi(a); }) - v_I.unaryExpr([&p, c](double a) { return p.phi(c * a); });
  return post * r_P.transpose();
}

/// Interneuron-to-apical PI: (v_rest - v_A) r_I^T with v_rest = 0.
inline Eigen::MatrixXd apical_induction(const Eigen::VectorXd& v_A, const Eigen::VectorXd& r_I) { return -v_A * r_I.transpose(); }

/// Top-down PP (learned feedback): (phi(u) - phi(v_TD)) r_above^T, v_TD = W_down r_above.
inline Eigen::MatrixXd top_down_induction(const microcircuit_params& p, const Eigen::VectorXd& u, const Eigen::VectorXd& v_TD,
                                          const Eigen::VectorXd& r_above) {
  const Eigen::VectorXd post = u.unaryExpr([&p](double a) { return p.phi(a); }) - v_TD.unaryExpr([&p](double a) { return p.phi(a); });
  return post * r_above.transpose();
}

}  // namespace apical
