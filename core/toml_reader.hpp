#pragma once
// Reading TOML files (toml11) with messages that name the file, the line and
// the key: shared by model files (core/model_file.cpp) and learning files
// (models/dendritic_learning.cpp).
#include <algorithm>
#include <initializer_list>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <toml.hpp>

#include "core/distribution.hpp"
#include "core/model_file.hpp"

namespace apical {

using value = toml::value;

/// Parses TOML text; a syntax error becomes a model_error with its line.
value parse_toml(const std::string& text, const std::string& name);

/// Walks a parsed file, keeping the file name for messages.
struct reader {
  std::string file;
  std::string base_dir;

  unsigned line_of(const value& v) const {
    const auto loc = v.location();
    return static_cast<unsigned>(loc.line());
  }
  [[noreturn]] void fail(const value& at, const std::string& key, const std::string& msg) const {
    // a value set on the command line is named by its override (core/overrides.hpp)
    if (const auto where = at.location().file_name(); where.rfind("--set ", 0) == 0) throw model_error(where, 0, key, msg);
    throw model_error(file, line_of(at), key, msg);
  }

  static std::string type_name(const value& v) {
    switch (v.type()) {
      case toml::value_t::boolean: return "a boolean";
      case toml::value_t::integer: return "an integer";
      case toml::value_t::floating: return "a number";
      case toml::value_t::string: return "a string";
      case toml::value_t::array: return "an array";
      case toml::value_t::table: return "a table";
      default: return "a date or time";
    }
  }

  /// Refuses keys of table `t` that are not in `allowed`; reports the first in file order.
  void only(const value& t, const std::string& path, std::initializer_list<const char*> allowed) const {
    const value* first = nullptr;
    std::string first_key;
    for (const auto& [k, v] : t.as_table()) {
      if (std::find_if(allowed.begin(), allowed.end(), [&](const char* a) { return k == a; }) != allowed.end()) continue;
      if (!first || line_of(v) < line_of(*first)) {
        first = &v;
        first_key = k;
      }
    }
    if (first) {
      std::string list;
      for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      fail(*first, path + "." + first_key, fmt::format("unknown key (allowed: {})", list));
    }
  }

  const value* get(const value& t, const char* key) const {
    const auto& tab = t.as_table();
    auto it = tab.find(key);
    return it == tab.end() ? nullptr : &it->second;
  }
  const value& require(const value& t, const std::string& path, const char* key) const {
    if (const value* v = get(t, key)) return *v;
    fail(t, path + "." + key, "missing required key");
  }

  double number(const value& v, const std::string& key) const {
    if (v.is_floating()) return v.as_floating();
    if (v.is_integer()) return static_cast<double>(v.as_integer());
    fail(v, key, fmt::format("must be a number, got {}", type_name(v)));
  }
  std::int64_t integer(const value& v, const std::string& key) const {
    if (v.is_integer()) return v.as_integer();
    fail(v, key, fmt::format("must be an integer, got {}", type_name(v)));
  }
  std::string string(const value& v, const std::string& key) const {
    if (v.is_string()) return v.as_string().str;
    fail(v, key, fmt::format("must be a string, got {}", type_name(v)));
  }
  bool boolean(const value& v, const std::string& key) const {
    if (v.is_boolean()) return v.as_boolean();
    fail(v, key, fmt::format("must be true or false, got {}", type_name(v)));
  }
  const value& table(const value& v, const std::string& key) const {
    if (!v.is_table()) fail(v, key, fmt::format("must be a table, got {}", type_name(v)));
    return v;
  }
  const toml::array& array(const value& v, const std::string& key) const {
    if (!v.is_array()) fail(v, key, fmt::format("must be an array, got {}", type_name(v)));
    return v.as_array();
  }
  std::vector<std::string> strings(const value& v, const std::string& key) const {
    if (v.is_string()) return {v.as_string().str};
    std::vector<std::string> out;
    std::size_t i = 0;
    for (const auto& e : array(v, key)) out.push_back(string(e, fmt::format("{}[{}]", key, i++)));
    return out;
  }

  /// A number, or a table {distribution = "uniform"|"normal"|"constant", ...}.
  distribution dist(const value& v, const std::string& key) const {
    distribution d;
    if (!v.is_table()) {
      d.value = number(v, key);
      if (!std::isfinite(d.value)) fail(v, key, "must be finite");
      return d;
    }
    const std::string kind = string(require(v, key, "distribution"), key + ".distribution");
    auto opt = [&](const char* k, double fallback) {
      const value* x = get(v, k);
      return x ? number(*x, key + "." + k) : fallback;
    };
    if (kind == "constant") {
      only(v, key, {"distribution", "value"});
      d.value = number(require(v, key, "value"), key + ".value");
    } else if (kind == "uniform") {
      only(v, key, {"distribution", "low", "high"});
      d = distribution::uniform_of(number(require(v, key, "low"), key + ".low"), number(require(v, key, "high"), key + ".high"));
    } else if (kind == "normal") {
      only(v, key, {"distribution", "mean", "std", "low", "high"});
      d = distribution::normal_of(number(require(v, key, "mean"), key + ".mean"), number(require(v, key, "std"), key + ".std"),
                                  opt("low", -INFINITY), opt("high", INFINITY));
    } else {
      fail(*get(v, "distribution"), key + ".distribution",
           fmt::format("unknown distribution '{}' (known: constant, uniform, normal)", kind));
    }
    if (auto msg = d.check(); !msg.empty()) fail(v, key, msg);
    return d;
  }
};

}  // namespace apical
