// Every file in models/ loads (model files through the model-file reader,
// learning files through the learning-file reader) and runs from the README in
// one line: the README names it with its command.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/model_file.hpp"
#include "helpers.hpp"
#include "models/dendritic_learning.hpp"

namespace fs = std::filesystem;
using namespace apical;

TEST_CASE("every models/ file is valid and has its one-line command in the README") {
  std::ifstream in(test::source_path("README.md"));
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string readme = ss.str();
  int files = 0;
  for (const auto& e : fs::directory_iterator(test::source_path("models"))) {
    if (e.path().extension() != ".toml") continue;
    ++files;
    const std::string rel = "models/" + e.path().filename().string();
    INFO(rel);
    std::ifstream f(e.path());
    std::stringstream text;
    text << f.rdbuf();
    const bool learning = text.str().find("\n[learn]") != std::string::npos || text.str().rfind("[learn]", 0) == 0;
    if (learning) {
      // the data where they are installed: Fashion-MNIST (Debian's
      // dataset-fashion-mnist) comes with the benchmark dependencies, `bash
      // .ci/deps --bench`, not with the tests'
      learning_task_config c;
      CHECK_NOTHROW(c = load_learning_file(e.path().string(), {}, data_check::skip));
      if (c.data_file.empty() || fs::exists(c.data_file))
        CHECK_NOTHROW(load_learning_file(e.path().string()));
      else
        MESSAGE(rel << ": data not installed, not read: " << c.data_file);
    } else
      CHECK_NOTHROW(load_model_file(e.path().string()));
    const std::string command = (learning ? "`./build/apical learn " : "`./build/apical run ") + rel;
    CHECK(readme.find(command) != std::string::npos);
  }
  CHECK(files >= 15);
}
