#include "models/dendritic_learning.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <fstream>
#include <memory>
#include <numbers>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "core/rng.hpp"
#include "core/toml_reader.hpp"
#include "models/backprop_mlp.hpp"

namespace apical {

namespace {

Eigen::VectorXd uniform_vector(std::size_t n, double a, stream_engine& rng) { return uniform_matrix(n, 1, a, rng); }

/// The teacher network's inputs and output potentials.
labelled_data teacher_data(const learning_task_config& c, std::size_t n, std::uint64_t stream) {
  stream_engine w(c.net.seed, stream_tag::microcircuit, 100);   // the teacher's weights: the same for every set
  std::vector<Eigen::MatrixXd> W;
  for (std::size_t k = 1; k < c.teacher_sizes.size(); ++k) W.push_back(uniform_matrix(c.teacher_sizes[k], c.teacher_sizes[k - 1], 1.0, w));
  stream_engine rng(c.net.seed, stream_tag::microcircuit, stream);
  labelled_data d;
  for (std::size_t e = 0; e < n; ++e) {
    Eigen::VectorXd x = uniform_vector(c.teacher_sizes[0], 1.0, rng), r = x, a;
    for (std::size_t k = 0; k < W.size(); ++k) {
      a = c.teacher_gains[k] * (W[k] * r);
      r = a.unaryExpr([&c](double v) { return c.net.cell.phi(v); });
    }
    d.x.push_back(x);
    d.target.push_back(a);
    d.label.push_back(-1);
  }
  return d;
}

/// The bytes of a file, through `gzip -dc` when it ends in .gz.
std::string read_maybe_gzip(const std::string& path) {
  std::string text;
  if (path.size() > 3 && path.substr(path.size() - 3) == ".gz") {
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(("gzip -dc '" + path + "'").c_str(), "r"), pclose);
    if (!pipe) throw std::runtime_error("cannot run gzip on " + path);
    char buf[65536];
    std::size_t got;
    while ((got = std::fread(buf, 1, sizeof buf, pipe.get())) > 0) text.append(buf, got);
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  if (text.empty()) throw std::runtime_error("cannot read " + path);
  return text;
}

Eigen::VectorXd one_hot(const learning_task_config& c, int label) {
  Eigen::VectorXd t = Eigen::VectorXd::Constant(10, c.target_off);
  t(label) = c.target_on;
  return t;
}

/// Fashion-MNIST from its IDX files (Debian dataset-fashion-mnist): images / 255.
labelled_data fashion_data(const learning_task_config& c, const std::string& prefix) {
  const std::string images = read_maybe_gzip(c.data_file + "/" + prefix + "-images-idx3-ubyte.gz");
  const std::string labels = read_maybe_gzip(c.data_file + "/" + prefix + "-labels-idx1-ubyte.gz");
  auto be32 = [](const std::string& b, std::size_t at) {
    return (std::uint32_t(std::uint8_t(b[at])) << 24) | (std::uint32_t(std::uint8_t(b[at + 1])) << 16) |
           (std::uint32_t(std::uint8_t(b[at + 2])) << 8) | std::uint32_t(std::uint8_t(b[at + 3]));
  };
  if (images.size() < 16 || be32(images, 0) != 2051 || labels.size() < 8 || be32(labels, 0) != 2049)
    throw std::runtime_error(c.data_file + ": " + prefix + " files are not IDX images and labels");
  const std::size_t n = be32(images, 4), pixels = std::size_t(be32(images, 8)) * be32(images, 12);
  if (be32(labels, 4) != n || images.size() < 16 + n * pixels || labels.size() < 8 + n)
    throw std::runtime_error(c.data_file + ": " + prefix + " files are truncated or disagree");
  labelled_data d;
  for (std::size_t e = 0; e < n; ++e) {
    Eigen::VectorXd x(static_cast<Eigen::Index>(pixels));
    for (std::size_t i = 0; i < pixels; ++i) x(Eigen::Index(i)) = double(std::uint8_t(images[16 + e * pixels + i])) / 255.0;
    const int label = std::uint8_t(labels[8 + e]);
    d.x.push_back(std::move(x));
    d.target.push_back(one_hot(c, label));
    d.label.push_back(label);
  }
  return d;
}

/// scikit-learn's digits: 1797 rows of 64 pixels (0..16) and the class.
labelled_data digits_data(const learning_task_config& c) {
  const std::string text = read_maybe_gzip(c.data_file);
  labelled_data d;
  std::istringstream lines(text);
  std::string line;
  std::size_t row = 0;
  while (std::getline(lines, line)) {
    ++row;
    if (line.empty()) continue;
    std::vector<double> v;
    std::istringstream cells(line);
    std::string cell;
    while (std::getline(cells, cell, ',')) v.push_back(std::stod(cell));
    if (v.size() != 65) throw std::runtime_error(c.data_file + ":" + std::to_string(row) + ": expected 65 values, got " + std::to_string(v.size()));
    Eigen::VectorXd x(64);
    for (int i = 0; i < 64; ++i) x(i) = v[std::size_t(i)] / 16.0;
    const int label = static_cast<int>(v[64]);
    d.x.push_back(x);
    d.target.push_back(one_hot(c, label));
    d.label.push_back(label);
  }
  return d;
}

double angle_deg(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  const double n = a.norm() * b.norm();
  if (n == 0.0) return 90.0;
  return std::acos(std::clamp((a.array() * b.array()).sum() / n, -1.0, 1.0)) * 180.0 / std::numbers::pi;
}

/// Test error of a predictor: output potentials from inputs, or with `rates`
/// output rates (phi of the potentials).
template <class F>
double test_error(const labelled_data& d, const microcircuit_params& p, F&& output, bool rates = false) {
  const auto phi = [&p](double v) { return p.phi(v); };
  double err = 0;
  for (std::size_t e = 0; e < d.x.size(); ++e) {
    const Eigen::VectorXd a = output(d.x[e]);
    if (d.label[e] >= 0) {   // phi is increasing: the largest potential has the largest rate
      Eigen::Index best;
      a.maxCoeff(&best);
      err += best != d.label[e] ? 1.0 : 0.0;
    } else {
      err += ((rates ? a : a.unaryExpr(phi)) - d.target[e].unaryExpr(phi)).squaredNorm();
    }
  }
  return err / double(d.x.size());
}

}  // namespace

std::vector<learning_checkpoint> run_learning(const learning_task_config& c, const learning_progress& progress) {
  labelled_data train, test;
  if (c.task == "teacher") {
    train = teacher_data(c, c.train_examples, 101);
    test = teacher_data(c, c.test_examples, 102);
  } else if (c.task == "digits") {
    labelled_data all = digits_data(c);
    // a fixed shuffled split: 1500 training, the rest test
    std::vector<std::size_t> order(all.x.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    stream_engine rng(c.net.seed, stream_tag::microcircuit, 103);
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[static_cast<std::size_t>(rng.uniform() * double(i))]);
    const std::size_t n_train = std::min<std::size_t>(1500, order.size() * 5 / 6);
    for (std::size_t i = 0; i < order.size(); ++i) {
      labelled_data& d = i < n_train ? train : test;
      d.x.push_back(all.x[order[i]]);
      d.target.push_back(all.target[order[i]]);
      d.label.push_back(all.label[order[i]]);
    }
  } else if (c.task == "fashion_mnist") {
    train = fashion_data(c, "train");
    test = fashion_data(c, "t10k");
  } else {
    throw std::invalid_argument("unknown task '" + c.task + "' (known: teacher, digits, fashion_mnist)");
  }
  dendritic_microcircuit net(c.net);
  if (c.self_predicting_start) net.set_self_predicting();
  const std::size_t N = net.layers();
  std::vector<double> lr = c.backprop_rate;
  if (lr.size() != N) throw std::invalid_argument("backprop_rate needs one rate per layer");
  backprop_mlp bp(c.net.cell, net.W_up), shallow(c.net.cell, net.W_up);
  std::vector<double> lr_shallow(N, 0.0);
  lr_shallow.back() = c.shallow_rate >= 0.0 ? c.shallow_rate : lr.back();
  const std::size_t probes = std::min<std::size_t>(5, test.x.size());
  const double probe = c.probe_duration > 0.0 ? c.probe_duration : c.presentation;

  std::vector<learning_checkpoint> curve;
  auto checkpoint = [&](std::size_t seen) {
    learning_checkpoint cp;
    cp.examples = seen;
    cp.error_microcircuit = test_error(test, c.net.cell, [&](const Eigen::VectorXd& x) { return net.predict_potential(x); });
    cp.error_backprop = test_error(test, c.net.cell, [&](const Eigen::VectorXd& x) {
      bp.forward(x);
      return bp.output_potential();
    });
    cp.error_shallow = test_error(test, c.net.cell, [&](const Eigen::VectorXd& x) {
      shallow.forward(x);
      return shallow.output_potential();
    });
    if (c.net.spiking) {
      dendritic_microcircuit spiking = net;   // a copy: leaves the learner's state and random streams alone
      cp.error_spiking = test_error(
          test, c.net.cell,
          [&](const Eigen::VectorXd& x) {
            spiking.present(x, nullptr, c.presentation, false);
            return spiking.output_rate(x);
          },
          true);
    }
    cp.angle.assign(N, 0.0);
    dendritic_microcircuit probe_net = net;   // a copy: probing leaves the learner's state and random streams alone
    for (std::size_t e = 0; e < probes; ++e) {
      probe_net.present(test.x[e], nullptr, probe, false);
      for (std::size_t k = 1; k < N; ++k)
        cp.apical_rms += probe_net.apical(k, test.x[e]).norm() / std::sqrt(double(c.net.sizes[k])) / double(probes * (N - 1));
      const auto induction = probe_net.mean_forward_inductions(test.x[e], test.target[e], probe);
      backprop_mlp ref(c.net.cell, net.W_up);
      const auto g = ref.gradient(test.x[e], test.target[e]);
      for (std::size_t k = 0; k < N; ++k) cp.angle[k] += angle_deg(induction[k], -g[k]) / double(probes);
    }
    curve.push_back(cp);
    bool finite = true;
    for (const auto& W : net.W_up) finite = finite && W.allFinite();
    if (!finite)
      throw std::runtime_error(fmt::format("the microcircuit diverged (non-finite potentials) after {} examples: lower eta_up", seen));
  };
  checkpoint(0);
  const std::size_t every = std::max<std::size_t>(1, c.train_examples / std::max<std::size_t>(1, c.checkpoints));
  for (std::size_t e = 0; e < c.train_examples; ++e) {
    const std::size_t i = e % train.x.size();
    net.present(train.x[i], &train.target[i], c.presentation, true);
    if (c.interneurons == "transported") net.set_self_predicting();
    bp.train(train.x[i], train.target[i], lr);
    shallow.train(train.x[i], train.target[i], lr_shallow);
    if ((e + 1) % train.x.size() == 0 && c.rate_decay != 1.0) {   // the end of a pass through the training set
      net.scale_learning_rates(c.rate_decay);
      for (double& v : lr) v *= c.rate_decay;
      for (double& v : lr_shallow) v *= c.rate_decay;
    }
    if ((e + 1) % every == 0 || e + 1 == c.train_examples) {
      checkpoint(e + 1);
      if (progress) progress(curve.back(), double(e + 1) / double(c.train_examples));
    }
  }
  return curve;
}

}  // namespace apical

namespace apical {

learning_task_config load_learning_file(const std::string& path, const std::vector<key_override>& overrides,
                                        data_check data) {
  std::ifstream in(path);
  if (!in) throw model_error(path, 0, "(file)", "cannot open the learning file");
  std::stringstream ss;
  ss << in.rdbuf();
  value root = parse_toml(ss.str(), path);
  apply_overrides(root, overrides);
  reader r{path, std::filesystem::path(path).parent_path().string()};
  r.only(root, "(top level)", {"learn"});
  const value& L = r.table(r.require(root, "(top level)", "learn"), "learn");
  r.only(L, "learn", {"task", "sizes", "feedback", "train_examples", "test_examples", "presentation", "checkpoints", "dt", "tau_w",
                      "sigma", "init_range", "seed", "eta_up", "eta_IP", "eta_PI", "eta_down", "backprop_rate", "teacher_sizes",
                      "teacher_gains", "data_file", "target_on", "target_off", "self_predicting_start", "shallow_rate", "mode", "probe_duration", "interneurons", "integration",
                      "rate_scale", "tau_r", "rate_decay", "cell"});
  learning_task_config c;
  auto numbers = [&](const char* key, bool non_negative) {
    std::vector<double> out;
    std::size_t i = 0;
    for (const auto& x : r.array(r.require(L, "learn", key), std::string("learn.") + key)) {
      const std::string k = fmt::format("learn.{}[{}]", key, i++);
      out.push_back(r.number(x, k));
      if (non_negative && !(out.back() >= 0)) r.fail(x, k, fmt::format("must be >= 0 (got {})", out.back()));
    }
    return out;
  };
  auto counts = [&](const char* key) {
    std::vector<std::size_t> out;
    std::size_t i = 0;
    for (const auto& x : r.array(r.require(L, "learn", key), std::string("learn.") + key)) {
      const std::string k = fmt::format("learn.{}[{}]", key, i++);
      const auto n = r.integer(x, k);
      if (n < 1) r.fail(x, k, fmt::format("must be >= 1 (got {})", n));
      out.push_back(static_cast<std::size_t>(n));
    }
    return out;
  };
  auto positive = [&](const char* key, double& out) {
    if (const value* v = r.get(L, key)) {
      out = r.number(*v, std::string("learn.") + key);
      if (!(out > 0)) r.fail(*v, std::string("learn.") + key, fmt::format("must be > 0 (got {})", out));
    }
  };
  auto count = [&](const char* key, std::size_t& out) {
    if (const value* v = r.get(L, key)) {
      const auto n = r.integer(*v, std::string("learn.") + key);
      if (n < 1) r.fail(*v, std::string("learn.") + key, fmt::format("must be >= 1 (got {})", n));
      out = static_cast<std::size_t>(n);
    }
  };
  if (const value* v = r.get(L, "task")) {
    c.task = r.string(*v, "learn.task");
    if (c.task != "teacher" && c.task != "digits" && c.task != "fashion_mnist")
      r.fail(*v, "learn.task", fmt::format("unknown task '{}' (known: teacher, digits, fashion_mnist)", c.task));
  }
  c.net.sizes = counts("sizes");
  if (c.net.sizes.size() < 2) r.fail(*r.get(L, "sizes"), "learn.sizes", "needs an input and an output layer");
  const std::size_t N = c.net.sizes.size() - 1;
  if (const value* v = r.get(L, "feedback")) {
    const std::string f = r.string(*v, "learn.feedback");
    if (f == "symmetric") c.net.feedback = feedback_mode::symmetric;
    else if (f == "random") c.net.feedback = feedback_mode::random;
    else if (f == "learned") c.net.feedback = feedback_mode::learned;
    else r.fail(*v, "learn.feedback", fmt::format("unknown feedback '{}' (known: symmetric, random, learned)", f));
  }
  count("train_examples", c.train_examples);
  count("test_examples", c.test_examples);
  count("checkpoints", c.checkpoints);
  if (const value* v = r.get(L, "rate_decay")) {
    c.rate_decay = r.number(*v, "learn.rate_decay");
    if (!(c.rate_decay > 0 && c.rate_decay <= 1)) r.fail(*v, "learn.rate_decay", fmt::format("must be in (0, 1] (got {})", c.rate_decay));
  }
  positive("presentation", c.presentation);
  positive("dt", c.net.dt);
  positive("init_range", c.net.init_range);
  if (const value* v = r.get(L, "tau_w")) {
    c.net.tau_w = r.number(*v, "learn.tau_w");
    if (!(c.net.tau_w >= 0)) r.fail(*v, "learn.tau_w", fmt::format("must be >= 0 ms (got {})", c.net.tau_w));
  }
  if (const value* v = r.get(L, "sigma")) {
    c.net.sigma = r.number(*v, "learn.sigma");
    if (!(c.net.sigma >= 0)) r.fail(*v, "learn.sigma", fmt::format("must be >= 0 (got {})", c.net.sigma));
  }
  if (const value* v = r.get(L, "seed")) c.net.seed = static_cast<std::uint64_t>(r.integer(*v, "learn.seed"));
  auto per_layer = [&](const char* key, std::vector<double>& out, std::size_t n, bool required) {
    if (!required && !r.get(L, key)) return;
    out = numbers(key, true);
    if (out.size() != n) r.fail(*r.get(L, key), std::string("learn.") + key, fmt::format("needs {} values (got {})", n, out.size()));
  };
  per_layer("eta_up", c.net.eta_up, N, true);
  per_layer("eta_IP", c.net.eta_IP, N - 1, false);
  per_layer("eta_PI", c.net.eta_PI, N - 1, false);
  per_layer("eta_down", c.net.eta_down, N - 1, false);
  per_layer("backprop_rate", c.backprop_rate, N, true);
  if (const value* v = r.get(L, "integration")) {
    const std::string m = r.string(*v, "learn.integration");
    if (m != "euler" && m != "steady_state") r.fail(*v, "learn.integration", fmt::format("unknown integration '{}' (known: euler, steady_state)", m));
    c.net.steady_state = m == "steady_state";
  }
  if (const value* v = r.get(L, "interneurons")) {
    c.interneurons = r.string(*v, "learn.interneurons");
    if (c.interneurons != "plastic" && c.interneurons != "transported")
      r.fail(*v, "learn.interneurons", fmt::format("unknown value '{}' (known: plastic, transported)", c.interneurons));
  }
  if (const value* v = r.get(L, "mode")) {
    const std::string m = r.string(*v, "learn.mode");
    if (m != "rate" && m != "spiking") r.fail(*v, "learn.mode", fmt::format("unknown mode '{}' (known: rate, spiking)", m));
    c.net.spiking = m == "spiking";
  }
  positive("rate_scale", c.net.rate_scale);
  positive("probe_duration", c.probe_duration);
  positive("tau_r", c.net.tau_r);
  if (const value* v = r.get(L, "shallow_rate")) {
    c.shallow_rate = r.number(*v, "learn.shallow_rate");
    if (!(c.shallow_rate >= 0)) r.fail(*v, "learn.shallow_rate", fmt::format("must be >= 0 (got {})", c.shallow_rate));
  }
  if (r.get(L, "teacher_sizes")) c.teacher_sizes = counts("teacher_sizes");
  if (r.get(L, "teacher_gains")) c.teacher_gains = numbers("teacher_gains", false);
  if (c.task == "teacher") {
    if (c.teacher_gains.size() + 1 != c.teacher_sizes.size())
      r.fail(L, "learn.teacher_gains", "needs one gain per teacher layer above the input");
    if (c.teacher_sizes.front() != c.net.sizes.front() || c.teacher_sizes.back() != c.net.sizes.back())
      r.fail(*r.get(L, "sizes"), "learn.sizes", "the student's input and output sizes must match the teacher's");
  }
  if (const value* v = r.get(L, "data_file")) {
    const std::filesystem::path f(r.string(*v, "learn.data_file"));
    c.data_file = f.is_absolute() ? f.string() : (std::filesystem::path(r.base_dir) / f).string();
    if (data == data_check::require && !std::filesystem::exists(c.data_file)) r.fail(*v, "learn.data_file", "no such file: " + c.data_file);
  }
  if (c.task == "digits") {
    if (c.data_file.empty()) r.fail(L, "learn.data_file", "the digits task needs scikit-learn's digits.csv.gz");
    if (c.net.sizes.front() != 64 || c.net.sizes.back() != 10) r.fail(*r.get(L, "sizes"), "learn.sizes", "digits need 64 inputs and 10 outputs");
  }
  if (c.task == "fashion_mnist") {
    if (c.data_file.empty()) r.fail(L, "learn.data_file", "fashion_mnist needs the folder of its IDX files (/usr/share/datasets/fashion-mnist)");
    if (c.net.sizes.front() != 784 || c.net.sizes.back() != 10)
      r.fail(*r.get(L, "sizes"), "learn.sizes", "fashion_mnist needs 784 inputs and 10 outputs");
  }
  if (const value* v = r.get(L, "target_on")) c.target_on = r.number(*v, "learn.target_on");
  if (const value* v = r.get(L, "target_off")) c.target_off = r.number(*v, "learn.target_off");
  if (const value* v = r.get(L, "self_predicting_start")) c.self_predicting_start = r.boolean(*v, "learn.self_predicting_start");
  if (const value* cv = r.get(L, "cell")) {
    r.table(*cv, "learn.cell");
    std::map<std::string, double> params;
    for (const auto& [k, x] : cv->as_table()) {
      if (k == "phi") {
        const std::string f = r.string(x, "learn.cell.phi");
        if (f == "softplus") c.net.cell.phi_kind = transfer_kind::softplus;
        else if (f == "logistic") c.net.cell.phi_kind = transfer_kind::logistic;
        else r.fail(x, "learn.cell.phi", fmt::format("unknown transfer function '{}' (known: softplus, logistic)", f));
        continue;
      }
      params[k] = r.number(x, "learn.cell." + k);
    }
    if (auto err = assign_params(c.net.cell, microcircuit_table, params)) {
      const value* at = r.get(*cv, err->key.c_str());
      r.fail(at ? *at : *cv, "learn.cell." + err->key, err->message);
    }
  }
  return c;
}

}  // namespace apical
