#include "core/overrides.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "core/model_file.hpp"

namespace apical {

namespace {

std::vector<std::string> split_path(const std::string& key) {
  std::vector<std::string> parts;
  std::size_t b = 0;
  for (;;) {
    const std::size_t e = key.find('.', b);
    parts.push_back(key.substr(b, e == std::string::npos ? std::string::npos : e - b));
    if (e == std::string::npos) return parts;
    b = e + 1;
  }
}

/// TOML text parsed as a value whose location is the override (the reader's
/// messages then name "--set KEY=VALUE" instead of a line of the file).
toml::value parse_at(const std::string& text, const std::string& where) {
  std::istringstream in("v = " + text);
  return toml::find(toml::parse(in, where), "v");
}

toml::value parse_value(const key_override& o, const std::string& where) {
  try {
    return parse_at(o.value, where);
  } catch (const toml::syntax_error&) {
    return parse_at(toml::format(toml::value(o.value)), where);   // not TOML: a bare word, taken as a string
  }
}

std::string element_name(const toml::value& element, const std::string& array, std::vector<std::string>& taken) {
  const auto& t = element.as_table();
  if (auto it = t.find("name"); it != t.end() && it->second.is_string()) return it->second.as_string();
  if (array != "projection") return {};
  // the loader's default name, SOURCE_to_TARGET[_k] (core/model_file.cpp)
  auto str = [&](const char* k) {
    auto it = t.find(k);
    return it != t.end() && it->second.is_string() ? std::string(it->second.as_string()) : std::string();
  };
  std::string name = str("source") + "_to_" + str("target");
  for (int k = 2; std::find(taken.begin(), taken.end(), name) != taken.end(); ++k)
    name = fmt::format("{}_to_{}_{}", str("source"), str("target"), k);
  return name;
}

/// The element of array-of-tables `array` selected by `selector` (name or index).
toml::value* select(toml::value& array_value, const std::string& array, const std::string& selector) {
  auto& arr = array_value.as_array();
  std::vector<std::string> names;
  for (auto& e : arr) {
    if (!e.is_table()) return nullptr;
    names.push_back(element_name(e, array, names));
    if (names.back() == selector) return &e;
  }
  if (!selector.empty() && std::all_of(selector.begin(), selector.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    const auto i = std::stoull(selector);
    if (i < arr.size()) return &arr[i];
  }
  return nullptr;
}

constexpr const char* population_keys[] = {"name", "model", "size", "params", "initial", "precise_times",
                                           "integrator", "spike_times", "spike_file"};

void apply_one(toml::value& root, const key_override& o) {
  const std::string where = "--set " + o.text();
  auto fail = [&](const std::string& msg) { throw model_error(where, 0, o.key, msg); };
  const std::vector<std::string> parts = split_path(o.key);
  if (std::any_of(parts.begin(), parts.end(), [](const std::string& p) { return p.empty(); })) fail("empty part in the key");
  toml::value* at = &root;
  std::size_t i = 0;
  for (; i + 1 < parts.size(); ++i) {
    auto& tab = at->as_table();
    auto it = tab.find(parts[i]);
    if (it == tab.end()) {
      tab[parts[i]] = parse_at("{}", where);   // a new sub-table (e.g. params); the reader checks its keys
      at = &tab[parts[i]];
      continue;
    }
    if (it->second.is_array()) {
      toml::value* e = select(it->second, parts[i], parts[i + 1]);
      if (!e) fail(fmt::format("no {} named or numbered '{}'", parts[i], parts[i + 1]));
      at = e;
      ++i;
      if (i + 1 == parts.size()) fail(fmt::format("names {} '{}' itself, not one of its keys", parts[i - 1], parts[i]));
      // population.NAME.KEY with KEY not a population key: a parameter
      if (parts[i - 1] == "population" && i + 2 == parts.size() &&
          std::find(std::begin(population_keys), std::end(population_keys), parts[i + 1]) == std::end(population_keys)) {
        auto& pt = at->as_table();
        if (pt.find("params") == pt.end()) pt["params"] = parse_at("{}", where);
        at = &pt["params"];
      }
      continue;
    }
    if (!it->second.is_table()) fail(fmt::format("'{}' is not a table", parts[i]));
    at = &it->second;
  }
  if (!at->is_table()) fail(fmt::format("'{}' is not a table", parts[parts.size() - 2]));
  at->as_table()[parts.back()] = parse_value(o, where);
}

}  // namespace

key_override parse_override(const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) throw std::invalid_argument(fmt::format("'{}': expected KEY=VALUE", assignment));
  return {assignment.substr(0, eq), assignment.substr(eq + 1)};
}

std::vector<std::string> split_values(const std::string& list) {
  std::vector<std::string> out;
  int depth = 0;
  char quote = 0;
  std::string cur;
  for (char c : list) {
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if (c == ']' || c == '}') {
      --depth;
    } else if (c == ',' && depth == 0) {
      out.push_back(cur);
      cur.clear();
      continue;
    }
    cur += c;
  }
  out.push_back(cur);
  return out;
}

void apply_overrides(toml::value& root, const std::vector<key_override>& overrides) {
  for (const auto& o : overrides) apply_one(root, o);
}

}  // namespace apical
