#include "models/dendritic_microcircuit.hpp"

#include <cmath>
#include <stdexcept>

#include "plasticity/microcircuit_rules.hpp"

namespace apical {

Eigen::MatrixXd uniform_matrix(std::size_t rows, std::size_t cols, double a, stream_engine& rng) {
  Eigen::MatrixXd m(rows, cols);
  for (Eigen::Index j = 0; j < m.cols(); ++j)
    for (Eigen::Index i = 0; i < m.rows(); ++i) m(i, j) = a * (2.0 * rng.uniform() - 1.0);
  return m;
}

dendritic_microcircuit::dendritic_microcircuit(const dendritic_microcircuit_config& c)
    : c_(c), N_(c.sizes.size() - 1), noise_(c.seed, stream_tag::microcircuit, 1), spikes_(c.seed, stream_tag::microcircuit, 2) {
  if (c.sizes.size() < 2) throw std::invalid_argument("a microcircuit needs an input and an output layer");
  if (c.eta_up.size() != N_) throw std::invalid_argument("eta_up needs one rate per layer above the input");
  stream_engine init(c.seed, stream_tag::microcircuit, 0);
  const auto& n = c.sizes;
  for (std::size_t k = 1; k <= N_; ++k) {
    W_up.push_back(uniform_matrix(n[k], n[k - 1], c.init_range / std::sqrt(double(n[k - 1])), init));
    u.push_back(Eigen::VectorXd::Zero(Eigen::Index(n[k])));
    F_up_.push_back(Eigen::MatrixXd::Zero(Eigen::Index(n[k]), Eigen::Index(n[k - 1])));
  }
  for (std::size_t k = 1; k < N_; ++k) {
    const double a = c.init_range / std::sqrt(double(n[k + 1]));
    W_down.push_back(uniform_matrix(n[k], n[k + 1], a, init));
    W_PI.push_back(uniform_matrix(n[k], n[k + 1], a, init));
    W_IP.push_back(uniform_matrix(n[k + 1], n[k], c.init_range / std::sqrt(double(n[k])), init));
    u_I.push_back(Eigen::VectorXd::Zero(Eigen::Index(n[k + 1])));
    F_down_.push_back(Eigen::MatrixXd::Zero(Eigen::Index(n[k]), Eigen::Index(n[k + 1])));
    F_PI_.push_back(Eigen::MatrixXd::Zero(Eigen::Index(n[k]), Eigen::Index(n[k + 1])));
    F_IP_.push_back(Eigen::MatrixXd::Zero(Eigen::Index(n[k + 1]), Eigen::Index(n[k])));
  }
  for (const auto& v : u) trace_.push_back(Eigen::VectorXd::Zero(v.size()));
  for (const auto& v : u_I) trace_I_.push_back(Eigen::VectorXd::Zero(v.size()));
  auto per_hidden = [&](const std::vector<double>& v, const char* name) {
    if (N_ > 1 && !v.empty() && v.size() != N_ - 1) throw std::invalid_argument(std::string(name) + " needs one rate per hidden layer");
  };
  per_hidden(c.eta_IP, "eta_IP");
  per_hidden(c.eta_PI, "eta_PI");
  per_hidden(c.eta_down, "eta_down");
}

Eigen::MatrixXd dendritic_microcircuit::feedback(std::size_t k) const {
  return c_.feedback == feedback_mode::symmetric ? Eigen::MatrixXd(W_up[k].transpose()) : W_down[k - 1];
}

void dendritic_microcircuit::set_self_predicting() {
  const double ratio = (c_.cell.g_lk + c_.cell.g_D) / c_.cell.g_D;
  for (std::size_t k = 1; k < N_; ++k) {
    W_PI[k - 1] = -feedback(k);
    W_IP[k - 1] = gain(k + 1) * ratio * W_up[k];
  }
}

Eigen::VectorXd dendritic_microcircuit::top_down(std::size_t k, const Eigen::VectorXd& r_above) const {
  if (c_.feedback == feedback_mode::symmetric) return W_up[k].transpose() * r_above;
  return W_down[k - 1] * r_above;
}

Eigen::VectorXd dendritic_microcircuit::apical(std::size_t k, const Eigen::VectorXd& x) const {
  return top_down(k, rate(k + 1, x)) + W_PI[k - 1] * interneuron_rate(k);
}

std::vector<Eigen::MatrixXd> dendritic_microcircuit::forward_inductions(const Eigen::VectorXd& x) const {
  std::vector<Eigen::MatrixXd> out;
  for (std::size_t k = 1; k <= N_; ++k) {
    const Eigen::VectorXd below = rate(k - 1, x);
    out.push_back(forward_induction(c_.cell, u[k - 1], gain(k) * (W_up[k - 1] * below), below));
  }
  return out;
}

void dendritic_microcircuit::step(const Eigen::VectorXd& x, const Eigen::VectorXd* target, bool learn) {
  const microcircuit_params& p = c_.cell;
  const double dt = c_.dt;
  std::vector<Eigen::VectorXd> r(N_ + 1), r_I(N_ > 0 ? N_ - 1 : 0), v_B(N_), v_A(N_ > 0 ? N_ - 1 : 0), v_I(r_I.size());
  for (std::size_t k = 0; k <= N_; ++k) r[k] = rate(k, x);
  for (std::size_t k = 1; k < N_; ++k) r_I[k - 1] = interneuron_rate(k);
  for (std::size_t k = 1; k <= N_; ++k) v_B[k - 1] = W_up[k - 1] * r[k - 1];
  for (std::size_t k = 1; k < N_; ++k) {
    v_A[k - 1] = top_down(k, r[k + 1]) + W_PI[k - 1] * r_I[k - 1];
    v_I[k - 1] = W_IP[k - 1] * r[k];
  }
  // plasticity from the state at the step's start
  if (learn) {
    auto apply = [&](Eigen::MatrixXd& W, Eigen::MatrixXd& F, const Eigen::MatrixXd& induction, double eta) {
      if (eta == 0.0) return;
      if (c_.tau_w > 0.0) {
        F += (dt / c_.tau_w) * (induction - F);
        W += (eta * dt) * F;
      } else {
        W += (eta * dt) * induction;
      }
    };
    for (std::size_t k = 1; k <= N_; ++k)
      apply(W_up[k - 1], F_up_[k - 1], forward_induction(p, u[k - 1], gain(k) * v_B[k - 1], r[k - 1]), c_.eta_up[k - 1]);
    for (std::size_t k = 1; k < N_; ++k) {
      if (!c_.eta_IP.empty())
        apply(W_IP[k - 1], F_IP_[k - 1], interneuron_induction(p, u_I[k - 1], v_I[k - 1], r[k]), c_.eta_IP[k - 1]);
      if (!c_.eta_PI.empty()) apply(W_PI[k - 1], F_PI_[k - 1], apical_induction(v_A[k - 1], r_I[k - 1]), c_.eta_PI[k - 1]);
      if (c_.feedback == feedback_mode::learned && !c_.eta_down.empty())
        apply(W_down[k - 1], F_down_[k - 1], top_down_induction(p, u[k - 1], W_down[k - 1] * r[k + 1], r[k + 1]),
              c_.eta_down[k - 1]);
    }
  }
  // somatic dynamics (Euler, all from the step's start)
  const double noise = c_.sigma * std::sqrt(dt);
  auto add_noise = [&](Eigen::VectorXd& v) {
    if (noise > 0.0)
      for (Eigen::Index i = 0; i < v.size(); ++i) v(i) += noise * noise_.normal();
  };
  for (std::size_t k = 1; k <= N_; ++k) {
    Eigen::VectorXd& uk = u[k - 1];
    Eigen::VectorXd du = -p.g_lk * uk + p.g_B * (v_B[k - 1] - uk);
    if (k < N_) du += p.g_A * (v_A[k - 1] - uk);
    if (k == N_ && target)
      for (Eigen::Index i = 0; i < du.size(); ++i) du(i) += p.nudge(p.g_som, (*target)(i), uk(i));
    uk += dt * du;
    add_noise(uk);
  }
  for (std::size_t k = 1; k < N_; ++k) {
    Eigen::VectorXd& ui = u_I[k - 1];
    Eigen::VectorXd du = -p.g_lk * ui + p.g_D * (v_I[k - 1] - ui);
    for (Eigen::Index i = 0; i < du.size(); ++i) du(i) += p.nudge(p.g_som_I, u[k](i), ui(i));
    ui += dt * du;
    add_noise(ui);
  }
  if (c_.spiking) {
    for (std::size_t k = 1; k <= N_; ++k) spike(u[k - 1], trace_[k - 1]);
    for (std::size_t k = 1; k < N_; ++k) spike(u_I[k - 1], trace_I_[k - 1]);
  }
}

void dendritic_microcircuit::spike(const Eigen::VectorXd& v, Eigen::VectorXd& trace) {
  const double decay = std::exp(-c_.dt / c_.tau_r), jump = 1.0 / (c_.tau_r * c_.rate_scale);
  for (Eigen::Index i = 0; i < v.size(); ++i) {
    const double p = -std::expm1(-c_.rate_scale * c_.cell.phi(v(i)) * c_.dt);
    trace(i) = trace(i) * decay + (spikes_.uniform() < p ? jump : 0.0);
  }
}

void dendritic_microcircuit::count_spikes(const Eigen::VectorXd& v, double duration, Eigen::VectorXd& rate) {
  const double scale = c_.rate_scale * duration;
  for (Eigen::Index i = 0; i < v.size(); ++i) {
    const double mean = scale * c_.cell.phi(v(i));
    double n = 0;
    if (mean < 500.0) {   // inversion, one uniform: P(n) = P(n - 1) mean / n
      const double u = spikes_.uniform();
      double p = std::exp(-mean), cdf = p;
      while (u >= cdf && p > 0.0) {
        ++n;
        p *= mean / n;
        cdf += p;
      }
    } else {   // normal approximation, relative error below 1e-3 of the count's spread
      n = std::max(0.0, std::round(mean + std::sqrt(mean) * spikes_.normal()));
    }
    rate(i) = n / scale;
  }
}

std::vector<Eigen::MatrixXd> dendritic_microcircuit::mean_forward_inductions(const Eigen::VectorXd& x, const Eigen::VectorXd& target,
                                                                             double duration) {
  if (c_.steady_state) {
    settle(x, &target, duration);
    return forward_inductions(x);
  }
  const auto steps = static_cast<long>(std::llround(duration / c_.dt));
  std::vector<Eigen::MatrixXd> sum;
  long taken = 0;
  for (long s = 0; s < steps; ++s) {
    step(x, &target, false);
    if (2 * s < steps) continue;
    const auto ind = forward_inductions(x);
    if (sum.empty())
      sum = ind;
    else
      for (std::size_t k = 0; k < sum.size(); ++k) sum[k] += ind[k];
    ++taken;
  }
  for (auto& m : sum) m /= double(std::max<long>(1, taken));
  return sum;
}

void dendritic_microcircuit::settle(const Eigen::VectorXd& x, const Eigen::VectorXd* target, double duration) {
  const microcircuit_params& p = c_.cell;
  // spiking: what layer k sends on is its spike count at its settled potential
  auto settled = [&](std::size_t k) {
    if (c_.spiking) count_spikes(u[k - 1], duration, trace_[k - 1]);
  };
  std::vector<Eigen::VectorXd> v_B(N_);
  for (std::size_t k = 1; k <= N_; ++k) {   // forward pass, no feedback
    v_B[k - 1] = W_up[k - 1] * rate(k - 1, x);
    u[k - 1] = gain(k) * v_B[k - 1];
    settled(k);
  }
  if (target) {
    Eigen::VectorXd& uN = u[N_ - 1];
    for (Eigen::Index i = 0; i < uN.size(); ++i) uN(i) = p.nudged_fixed_point(p.g_B, v_B[N_ - 1](i), p.g_som, (*target)(i));
    settled(N_);
  }
  for (std::size_t k = N_ - 1; k >= 1; --k) {   // top-down pass
    const Eigen::VectorXd v_I = W_IP[k - 1] * rate(k, x);
    Eigen::VectorXd& ui = u_I[k - 1];
    for (Eigen::Index i = 0; i < ui.size(); ++i) ui(i) = p.nudged_fixed_point(p.g_D, v_I(i), p.g_som_I, u[k](i));
    if (c_.spiking) count_spikes(ui, duration, trace_I_[k - 1]);
    u[k - 1] = (p.g_B * v_B[k - 1] + p.g_A * apical(k, x)) / (p.g_lk + p.g_B + p.g_A);
    settled(k);
  }
}

void dendritic_microcircuit::present(const Eigen::VectorXd& x, const Eigen::VectorXd* target, double duration, bool learn) {
  if (c_.steady_state) {
    settle(x, target, duration);
    if (!learn) return;
    const microcircuit_params& p = c_.cell;
    const auto forward = forward_inductions(x);
    for (std::size_t k = 1; k <= N_; ++k) W_up[k - 1] += (c_.eta_up[k - 1] * duration) * forward[k - 1];
    for (std::size_t k = 1; k < N_; ++k) {
      const Eigen::VectorXd r = rate(k, x), r_I = interneuron_rate(k), r_above = rate(k + 1, x);
      if (!c_.eta_IP.empty())
        W_IP[k - 1] += (c_.eta_IP[k - 1] * duration) * interneuron_induction(p, u_I[k - 1], W_IP[k - 1] * r, r);
      if (!c_.eta_PI.empty()) W_PI[k - 1] += (c_.eta_PI[k - 1] * duration) * apical_induction(apical(k, x), r_I);
      if (c_.feedback == feedback_mode::learned && !c_.eta_down.empty())
        W_down[k - 1] += (c_.eta_down[k - 1] * duration) * top_down_induction(p, u[k - 1], W_down[k - 1] * r_above, r_above);
    }
    return;
  }
  const auto steps = static_cast<long>(std::llround(duration / c_.dt));
  for (long s = 0; s < steps; ++s) step(x, target, learn);
}

Eigen::VectorXd dendritic_microcircuit::predict_potential(const Eigen::VectorXd& x) const {
  Eigen::VectorXd r = x, a;
  for (std::size_t k = 1; k <= N_; ++k) {
    a = gain(k) * (W_up[k - 1] * r);
    r = phi(a);
  }
  return a;
}

}  // namespace apical
