#include "models/backprop_mlp.hpp"

namespace apical {

backprop_mlp::backprop_mlp(const microcircuit_params& cell, std::vector<Eigen::MatrixXd> weights)
    : cell_(cell), W_(std::move(weights)), a_(W_.size()), r_(W_.size() + 1) {}

const Eigen::VectorXd& backprop_mlp::forward(const Eigen::VectorXd& x) {
  r_[0] = x;
  for (std::size_t k = 1; k <= W_.size(); ++k) {
    a_[k - 1] = gain(k) * (W_[k - 1] * r_[k - 1]);
    r_[k] = a_[k - 1].unaryExpr([this](double a) { return cell_.phi(a); });
  }
  return r_.back();
}

std::vector<Eigen::MatrixXd> backprop_mlp::gradient(const Eigen::VectorXd& x, const Eigen::VectorXd& t) {
  forward(x);
  const std::size_t N = W_.size();
  std::vector<Eigen::MatrixXd> g(N);
  auto dphi = [this](const Eigen::VectorXd& a) { return a.unaryExpr([this](double v) { return cell_.phi_prime(v); }).eval(); };
  Eigen::VectorXd delta = -(dphi(a_[N - 1]).array() * (t - a_[N - 1]).array()).matrix();
  for (std::size_t k = N; k >= 1; --k) {
    g[k - 1] = gain(k) * delta * r_[k - 1].transpose();
    if (k > 1) delta = (dphi(a_[k - 2]).array() * (gain(k) * (W_[k - 1].transpose() * delta)).array()).matrix();
  }
  return g;
}

void backprop_mlp::train(const Eigen::VectorXd& x, const Eigen::VectorXd& t, const std::vector<double>& lr) {
  const auto g = gradient(x, t);
  for (std::size_t k = 0; k < W_.size(); ++k) W_[k] -= lr[k] * g[k];
}

}  // namespace apical
