#include "app/progress.hpp"

#include <cstdio>
#include <string>

#include <fmt/format.h>

namespace apical::app {

progress_bar::progress_bar(bool enabled, double biological_ms)
    : enabled_(enabled), total_ms_(biological_ms), start_(std::chrono::steady_clock::now()), last_(start_) {}

void progress_bar::update(double f) {
  if (!enabled_) return;
  if (f < 1.0 && ++calls_ % 64 != 0) return;
  const auto now = std::chrono::steady_clock::now();
  if (f < 1.0 && now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  const double wall = std::chrono::duration<double>(now - start_).count();
  const int width = 30;
  const int filled = static_cast<int>(f * width + 0.5);
  const double left = f > 0 ? wall * (1.0 - f) / f : 0.0;
  fmt::print(stderr, "\r[{}{}] {:5.1f}%  {:.0f}/{:.0f} ms biological, {:.1f} s wall, ~{:.1f} s left ",
             std::string(filled, '#'), std::string(width - filled, '.'), 100.0 * f, f * total_ms_, total_ms_, wall, left);
  std::fflush(stderr);
  drawn_ = true;
}

void progress_bar::finish() {
  if (drawn_) fmt::print(stderr, "\n");
}

}  // namespace apical::app
