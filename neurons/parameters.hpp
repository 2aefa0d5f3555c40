#pragma once
// Named parameters of a model: a table of (name, member, unit, description) per
// parameter struct. Setting is transactional, as in NEST: the values are
// copied, set, validated, and committed only when all are valid.
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace apical {

struct param_error {
  std::string key;       ///< offending parameter name (empty: the set as a whole)
  std::string message;
};

template <class P>
struct param_info {
  const char* name;
  double P::*member;
  const char* unit;
  const char* description;
};

/// Name, unit and default of every parameter (for `apical info` and the docs).
struct param_doc {
  std::string name, unit, description;
  double default_value;
};

template <class P, std::size_t N>
std::optional<param_error> assign_params(P& target, const param_info<P> (&table)[N],
                                         const std::map<std::string, double>& values) {
  P p = target;   // copy: commit only if everything is valid
  for (const auto& [key, v] : values) {
    bool found = false;
    for (const auto& info : table)
      if (key == info.name) {
        p.*info.member = v;
        found = true;
      }
    if (!found) return param_error{key, "unknown parameter"};
  }
  if (auto err = p.validate()) return err;
  target = p;
  return std::nullopt;
}

template <class P, std::size_t N>
std::vector<param_doc> document_params(const param_info<P> (&table)[N]) {
  P defaults{};
  std::vector<param_doc> out;
  for (const auto& info : table) out.push_back({info.name, info.unit, info.description, defaults.*info.member});
  return out;
}

/// Helpers for validate(): return an error naming the key when the check fails.
std::optional<param_error> require_positive(const char* key, double v, const char* unit);
std::optional<param_error> require_non_negative(const char* key, double v, const char* unit);
std::optional<param_error> require_finite(const char* key, double v);

}  // namespace apical
