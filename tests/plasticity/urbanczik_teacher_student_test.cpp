// Teacher-student regression with the Urbanczik-Senn rule
// (models/urbanczik_teacher_student.toml): the student's dendritic weights,
// drawn independently of the teacher's, become correlated with them (> 0.9)
// as its dendrite learns to predict the spikes the teacher's spikes cause.
#include <doctest/doctest.h>

#include <cmath>
#include <numeric>

#include "helpers.hpp"

using namespace apical;

namespace {

double correlation(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = double(a.size());
  const double ma = std::accumulate(a.begin(), a.end(), 0.0) / n, mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

}  // namespace

TEST_CASE("urbanczik_senn: a student's dendritic weights learn a teacher's") {
  network_spec spec = load_model_file(test::source_path("models/urbanczik_teacher_student.toml"));
  spec.recorders.clear();
  simulation sim(spec);
  sim.build();
  auto teacher = sim.weights("teacher_dendrite"), student = sim.weights("student_dendrite");
  REQUIRE(teacher.sources == student.sources);
  const double before = correlation(teacher.weights, student.weights);
  sim.run(spec.sim.duration);
  const auto teacher_after = sim.weights("teacher_dendrite");
  student = sim.weights("student_dendrite");
  CHECK(teacher_after.weights == teacher.weights);   // eta = 0: fixed
  const double after = correlation(teacher.weights, student.weights);
  MESSAGE("correlation of student and teacher weights: " << before << " before, " << after << " after "
                                                         << spec.sim.duration / 1000.0 << " s");
  CHECK(std::abs(before) < 0.3);
  CHECK(after > 0.9);
}
