#pragma once
// Learning tasks for the dendritic microcircuit, measured against exact
// back-prop (`apical learn`): the microcircuit, the equivalent MLP trained by
// back-prop and a shallow learner (the same MLP, output layer only) start from
// the same weights and see the same examples in the same order; at checkpoints
// each is tested, and the angle between the microcircuit's forward-weight
// update and the back-prop gradient on probe examples is taken per layer.
//
// Tasks:
//  - "teacher": nonlinear regression (Sacramento et al. 2018, Fig. 2): inputs
//    uniform in [-1, 1], targets the output potentials of a fixed random teacher
//    network a_2 = k_2 W_2 phi(k_1 W_1 x) (weights uniform in [-1, 1], gains
//    k = 2, 10); error: mean ||phi(a_student) - phi(a_teacher)||^2 on test inputs.
//  - "digits": classification of scikit-learn's 8x8 digits (pixels / 16), one-hot
//    target potentials; error: fraction misclassified.
//  - "fashion_mnist": Fashion-MNIST (Debian dataset-fashion-mnist; data_file is the
//    folder of its IDX files), 60,000 training and 10,000 test images, pixels / 255.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "core/overrides.hpp"
#include "models/dendritic_microcircuit.hpp"

namespace apical {

struct learning_task_config {
  std::string task = "teacher";
  dendritic_microcircuit_config net;
  std::vector<std::size_t> teacher_sizes = {30, 20, 10};
  std::vector<double> teacher_gains = {2.0, 10.0};
  std::size_t train_examples = 10000;   ///< examples presented (cycling through the training set)
  std::size_t test_examples = 500;      ///< teacher task: test set size
  double presentation = 20.0;           ///< ms per example
  double probe_duration = 0.0;          ///< ms a probe example is held to measure the angles (0: presentation; spiking mode: longer, to average out spike noise)
  std::size_t checkpoints = 10;
  /// Every learner's learning rates are multiplied by this after each pass
  /// through the training set (1: constant rates), the same for all three.
  double rate_decay = 1.0;
  std::vector<double> backprop_rate;    ///< learning rate per layer of the back-prop MLP
  double shallow_rate = -1.0;           ///< the shallow learner's output layer (< 0: back-prop's output rate)
  double target_on = 1.0, target_off = 0.0;   ///< digits: target potentials of the right and the wrong classes
  std::string data_file;                ///< digits: scikit-learn's digits.csv.gz (or the CSV); fashion_mnist: the IDX folder
  bool self_predicting_start = true;    ///< start in the self-predicting state (else random interneuron weights)
  /// "plastic": W_IP, W_PI follow their rules; "transported": they are reset to the
  /// self-predicting state of the current forward and feedback weights after every
  /// example (the interneurons' counterpart of weight transport: it isolates how
  /// well the forward rule approximates back-prop from how well the interneurons keep up).
  std::string interneurons = "plastic";
};

struct learning_checkpoint {
  std::size_t examples = 0;
  double error_microcircuit = 0, error_backprop = 0, error_shallow = 0;
  /// Spiking mode: the error of the spiking network itself, reading its output
  /// spikes (counts over one presentation, no target); -1 in rate mode.
  /// error_microcircuit reads the learned weights' rate feed-forward pass.
  double error_spiking = -1;
  std::vector<double> angle;   ///< degrees per layer 1..N, mean over probe examples
  double apical_rms = 0;       ///< RMS apical potential without target, mean over probes and hidden layers
};

struct labelled_data {
  std::vector<Eigen::VectorXd> x, target;   ///< inputs and target potentials
  std::vector<int> label;                   ///< classification: class index (-1: regression)
};

/// Runs the task; `progress` gets each checkpoint as it is taken and the fraction done.
using learning_progress = std::function<void(const learning_checkpoint&, double)>;
std::vector<learning_checkpoint> run_learning(const learning_task_config& c, const learning_progress& progress = {});

/// Reads a learning file (TOML [learn] table) with command-line overrides
/// (`apical learn --set learn.feedback=random`) applied first, so that they are
/// validated as if they were in the file; errors name file, line and key, or the override.
/// `data`: whether learn.data_file must exist (skip: everything else is checked,
/// for a test of the file where the data are not installed).
enum class data_check { require, skip };
learning_task_config load_learning_file(const std::string& path, const std::vector<key_override>& overrides = {},
                                        data_check data = data_check::require);

}  // namespace apical
