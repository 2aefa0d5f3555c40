// `apical plot DIR`: the figures of a run, drawn by app/apical_plot.py.
#include "app/plot.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

namespace apical::app {

namespace fs = std::filesystem;

/// Hands over to app/apical_plot.py (matplotlib): found through
/// $APICAL_PLOT_SCRIPT, next to this executable, or in the source tree; run by
/// Debian's /usr/bin/python3, whose packages (python3-matplotlib, -h5py) it needs.
int cmd_plot(const std::string& dir, const std::string& out) {
  fs::path script;
  if (const char* env = std::getenv("APICAL_PLOT_SCRIPT")) script = env;
  if (script.empty()) {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec && fs::exists(exe.parent_path() / "apical_plot.py")) script = exe.parent_path() / "apical_plot.py";
  }
  if (script.empty()) script = fs::path(APICAL_SOURCE_DIR) / "app" / "apical_plot.py";
  const std::string python = fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  std::vector<std::string> args{python, script.string(), dir};
  if (!out.empty()) args.insert(args.end(), {"--out", out});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  execvp(python.c_str(), argv.data());
  throw std::runtime_error(fmt::format("cannot start {} for {}: {}", python, script.string(), std::strerror(errno)));
}

}  // namespace apical::app
