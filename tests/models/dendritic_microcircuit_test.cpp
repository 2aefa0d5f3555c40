#include <doctest/doctest.h>

#include <cmath>
#include <numbers>

#include "core/rng.hpp"
#include "models/backprop_mlp.hpp"
#include "models/dendritic_microcircuit.hpp"

using namespace apical;

namespace {

Eigen::VectorXd uniform_vector(std::size_t n, double lo, double hi, stream_engine& rng) {
  Eigen::VectorXd v(static_cast<Eigen::Index>(n));
  for (Eigen::Index i = 0; i < v.size(); ++i) v(i) = lo + (hi - lo) * rng.uniform();
  return v;
}

/// Angle in degrees between two matrices as vectors.
double angle(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  const double c = (a.array() * b.array()).sum() / (a.norm() * b.norm());
  return std::acos(std::clamp(c, -1.0, 1.0)) * 180.0 / std::numbers::pi;
}

dendritic_microcircuit_config small_net(feedback_mode fb) {
  dendritic_microcircuit_config c;
  c.sizes = {6, 12, 8, 4};
  c.feedback = fb;
  c.eta_up = {0.0, 0.0, 0.0};
  c.init_range = 3.0;
  c.dt = 0.05;
  return c;
}

/// Bregman loss of the reference for the logistic phi: Phi(u) = log(1 + e^u).
double bregman_logistic(const microcircuit_params& p, const Eigen::VectorXd& a, const Eigen::VectorXd& t) {
  auto Phi = [](double u) { return std::log1p(std::exp(u)); };
  double L = 0;
  for (Eigen::Index i = 0; i < a.size(); ++i) L += Phi(t(i)) - Phi(a(i)) - p.phi(a(i)) * (t(i) - a(i));
  return L;
}

}  // namespace

TEST_CASE("microcircuit cells: phi' is the derivative of phi") {
  for (auto kind : {transfer_kind::softplus, transfer_kind::logistic}) {
    microcircuit_params p;
    p.phi_kind = kind;
    for (double u : {-4.0, -1.0, 0.0, 2.5, 3.0, 5.0, 9.0})
      CHECK(p.phi_prime(u) == doctest::Approx((p.phi(u + 1e-6) - p.phi(u - 1e-6)) / 2e-6).epsilon(1e-7));
  }
}

TEST_CASE("backprop reference: the gradient equals finite differences of its loss") {
  stream_engine rng(5, stream_tag::microcircuit, 9);
  auto c = small_net(feedback_mode::symmetric);
  c.cell.phi_kind = transfer_kind::logistic;
  dendritic_microcircuit net(c);
  backprop_mlp mlp(c.cell, net.W_up);
  const Eigen::VectorXd x = uniform_vector(6, -1, 1, rng), t = uniform_vector(4, -2, 2, rng);
  const auto g = mlp.gradient(x, t);
  const double eps = 1e-6;
  for (std::size_t k = 0; k < 3; ++k)
    for (Eigen::Index i = 0; i < 3; ++i)
      for (Eigen::Index j = 0; j < 3; ++j) {
        auto W = net.W_up;
        W[k](i, j) += eps;
        backprop_mlp plus(c.cell, W);
        plus.forward(x);
        W[k](i, j) -= 2 * eps;
        backprop_mlp minus(c.cell, W);
        minus.forward(x);
        const double fd = (bregman_logistic(c.cell, plus.output_potential(), t) - bregman_logistic(c.cell, minus.output_potential(), t)) / (2 * eps);
        CHECK(g[k](i, j) == doctest::Approx(fd).epsilon(1e-6).scale(1e-3));
      }
  CHECK(g[0].norm() > 1e-3);   // a non-trivial check: the hidden gradient is not vanishing
}

TEST_CASE("dendritic microcircuit: the self-predicting state is learnt from random weights (SM Fig. S1)") {
  // the logistic phi (as the paper's MNIST network): rates near 1/2, so the
  // interneurons and apical synapses see their inputs
  auto c = small_net(feedback_mode::random);
  c.cell.phi_kind = transfer_kind::logistic;
  c.eta_IP = {0.2, 0.2};
  c.eta_PI = {0.2, 0.2};
  dendritic_microcircuit net(c);
  stream_engine rng(7, stream_tag::microcircuit, 3);
  auto mean_apical = [&](int examples) {
    double s = 0;
    stream_engine probe(11, stream_tag::microcircuit, 4);
    for (int e = 0; e < examples; ++e) {
      const Eigen::VectorXd x = uniform_vector(6, -1, 1, probe);
      net.present(x, nullptr, 20.0, false);
      for (std::size_t k = 1; k < net.layers(); ++k) s += net.apical(k, x).norm() / std::sqrt(double(net.apical(k, x).size()));
    }
    return s / examples / double(net.layers() - 1);
  };
  const double before = mean_apical(20);
  for (int e = 0; e < 2000; ++e) net.present(uniform_vector(6, -1, 1, rng), nullptr, 10.0, true);
  const double after = mean_apical(20);
  double mismatch = 0;
  for (std::size_t k = 1; k < net.layers(); ++k)
    mismatch = std::max(mismatch, (net.W_PI[k - 1] + net.feedback(k)).norm() / net.feedback(k).norm());
  MESSAGE("RMS apical potential " << before << " -> " << after << "; |W_PI + W_down| / |W_down| = " << mismatch);
  CHECK(after < before / 20.0);
}

TEST_CASE("dendritic microcircuit: with symmetric feedback and weak nudging the updates follow back-prop") {
  for (auto fb : {feedback_mode::symmetric, feedback_mode::random}) {
    auto c = small_net(fb);
    c.cell.g_som = 0.05;
    c.cell.g_som_I = 0.05;
    dendritic_microcircuit net(c);
    net.set_self_predicting();
    stream_engine rng(3, stream_tag::microcircuit, 5);
    double worst[3] = {0, 0, 0}, mean[3] = {0, 0, 0};
    const int examples = 10;
    for (int e = 0; e < examples; ++e) {
      const Eigen::VectorXd x = uniform_vector(6, -1, 1, rng), t = uniform_vector(4, 2, 4, rng);
      net.present(x, &t, 60.0, false);
      const auto induction = net.forward_inductions(x);
      backprop_mlp mlp(c.cell, net.W_up);
      const auto g = mlp.gradient(x, t);
      for (std::size_t k = 0; k < 3; ++k) {
        const double a = angle(induction[k], -g[k]);
        worst[k] = std::max(worst[k], a);
        mean[k] += a / examples;
      }
    }
    MESSAGE(std::string(fb == feedback_mode::symmetric ? "symmetric" : "random") << " feedback: angle to back-prop, layers 1, 2, 3: mean "
                                                                     << mean[0] << ", " << mean[1] << ", " << mean[2] << " deg; worst "
                                                                     << worst[0] << ", " << worst[1] << ", " << worst[2]);
    if (fb == feedback_mode::symmetric) {
      CHECK(worst[0] < 10.0);
      CHECK(worst[1] < 10.0);
      CHECK(worst[2] < 1.0);
    } else {
      CHECK(worst[2] < 1.0);   // the output layer sees its own error
    }
  }
}
