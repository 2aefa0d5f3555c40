#pragma once
// A progress bar on stderr for long runs: redrawn at most every 0.2 s, with
// biological time, wall time and the estimated time left.
#include <chrono>
#include <functional>

namespace apical::app {

class progress_bar {
 public:
  /// enabled: draw at all (the program enables it when stderr is a terminal or --progress always).
  progress_bar(bool enabled, double biological_ms);
  void update(double fraction);
  void finish();
  std::function<void(double)> callback() {
    return [this](double f) { update(f); };
  }

 private:
  bool enabled_;
  double total_ms_;
  std::chrono::steady_clock::time_point start_, last_;
  bool drawn_ = false;
  unsigned calls_ = 0;   // the clock is read every 64th update (once per window otherwise)
};

}  // namespace apical::app
