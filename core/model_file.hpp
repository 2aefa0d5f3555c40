#pragma once
// Model files: TOML (toml11) descriptions of a network. Every error names the
// file, the line and the key, e.g.
//   models/brunel.toml:14: population[0].params.tau_m: must be > 0 ms (got -20)
// The format is documented in docs/model_files.md.
#include <stdexcept>
#include <string>

#include "core/network.hpp"
#include "core/overrides.hpp"

namespace apical {

class model_error : public std::runtime_error {
 public:
  model_error(std::string file, unsigned line, std::string key, const std::string& message);
  const std::string& file() const { return file_; }
  unsigned line() const { return line_; }
  const std::string& key() const { return key_; }

 private:
  std::string file_;
  unsigned line_;
  std::string key_;
};

/// Parses and validates a model file, with command-line overrides of its keys
/// applied first (core/overrides.hpp). Throws model_error.
network_spec load_model_file(const std::string& path, const std::vector<key_override>& overrides = {});
/// Same, from text (`name` stands for the file in messages; relative spike
/// files are looked up in `base_dir`).
network_spec parse_model(const std::string& text, const std::string& name, const std::string& base_dir = ".",
                         const std::vector<key_override>& overrides = {});

/// Checks a description built in code (the same rules as the loader; errors
/// name the key without a line).
void check_network(const network_spec& spec);

}  // namespace apical
