#include "core/sonata_writer.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>
#include <hdf5.h>
#include <unistd.h>

namespace apical {

namespace {

/// An HDF5 handle closed on scope exit.
struct h5 {
  hid_t id;
  herr_t (*close)(hid_t);
  h5(hid_t i, herr_t (*c)(hid_t)) : id(i), close(c) {
    if (id < 0) throw std::runtime_error("HDF5 call failed");
  }
  ~h5() {
    if (id >= 0) close(id);
  }
  h5(const h5&) = delete;
  h5& operator=(const h5&) = delete;
  operator hid_t() const { return id; }
};

void check(herr_t e) {
  if (e < 0) throw std::runtime_error("HDF5 call failed");
}

void write_dataset(hid_t loc, const char* name, hid_t type, const void* data, std::vector<hsize_t> dims) {
  h5 space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
  h5 ds(H5Dcreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose);
  bool empty = false;
  for (auto d : dims) empty |= d == 0;
  if (!empty) check(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data));
}

void write_string_attr(hid_t loc, const char* name, const std::string& value) {
  h5 type(H5Tcopy(H5T_C_S1), H5Tclose);
  check(H5Tset_size(type, value.size()));
  check(H5Tset_strpad(type, H5T_STR_NULLTERM));
  h5 space(H5Screate(H5S_SCALAR), H5Sclose);
  h5 attr(H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  check(H5Awrite(attr, type, value.data()));
}

/// libsonata reads `sorting` as an enum of char {none, by_id, by_time}.
void write_sorting_attr(hid_t loc, char value) {
  h5 type(H5Tenum_create(H5T_NATIVE_CHAR), H5Tclose);
  const char none = 0, by_id = 1, by_time = 2;
  check(H5Tenum_insert(type, "none", &none));
  check(H5Tenum_insert(type, "by_id", &by_id));
  check(H5Tenum_insert(type, "by_time", &by_time));
  h5 space(H5Screate(H5S_SCALAR), H5Sclose);
  h5 attr(H5Acreate2(loc, "sorting", type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  check(H5Awrite(attr, type, &value));
}

/// Runs `write(tmp)` and renames tmp to path when it returns; removes tmp on failure.
template <class F>
void atomically(const std::string& path, F&& write) {
  const std::string tmp = fmt::format("{}.tmp{}", path, static_cast<long>(getpid()));
  try {
    write(tmp);
    std::filesystem::rename(tmp, path);
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    throw;
  }
}

}  // namespace

void write_spikes_sonata(const std::string& path, const std::vector<spike_log>& logs) {
  atomically(path, [&](const std::string& tmp) {
    h5 file(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    h5 spikes(H5Gcreate2(file, "spikes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
    for (const auto& l : logs) {
      if (!l.stored) continue;
      h5 g(H5Gcreate2(spikes, l.population.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
      write_sorting_attr(g, 2);
      write_dataset(g, "timestamps", H5T_NATIVE_DOUBLE, l.times.data(), {l.times.size()});
      {
        h5 ts(H5Dopen2(g, "timestamps", H5P_DEFAULT), H5Dclose);
        write_string_attr(ts, "units", "ms");
      }
      write_dataset(g, "node_ids", H5T_NATIVE_UINT64, l.node_ids.data(), {l.node_ids.size()});
    }
  });
}

void write_state_report(const std::string& path, const std::vector<state_log>& logs, const std::string& variable,
                        const std::string& unit) {
  atomically(path, [&](const std::string& tmp) {
    h5 file(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    h5 report(H5Gcreate2(file, "report", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
    for (const auto& l : logs) {
      const auto it = std::find(l.variables.begin(), l.variables.end(), variable);
      if (it == l.variables.end()) continue;
      const std::size_t v = static_cast<std::size_t>(it - l.variables.begin());
      const std::size_t n = l.nodes.size();
      std::vector<double> data(l.samples * n);
      for (std::size_t s = 0; s < l.samples; ++s)
        for (std::size_t j = 0; j < n; ++j) data[s * n + j] = l.at(s, v, j);
      h5 g(H5Gcreate2(report, l.population.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
      write_dataset(g, "data", H5T_NATIVE_DOUBLE, data.data(), {l.samples, n});
      {
        h5 ds(H5Dopen2(g, "data", H5P_DEFAULT), H5Dclose);
        write_string_attr(ds, "units", unit);
      }
      h5 m(H5Gcreate2(g, "mapping", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
      std::vector<std::uint64_t> ids(l.nodes.begin(), l.nodes.end()), ptr(n + 1);
      std::vector<std::uint32_t> elements(n, 0);
      for (std::size_t j = 0; j <= n; ++j) ptr[j] = j;
      write_dataset(m, "node_ids", H5T_NATIVE_UINT64, ids.data(), {n});
      write_dataset(m, "index_pointers", H5T_NATIVE_UINT64, ptr.data(), {n + 1});
      write_dataset(m, "element_ids", H5T_NATIVE_UINT32, elements.data(), {n});
      const double time[3] = {l.time_of(0), l.time_of(l.samples), l.interval_ms};
      write_dataset(m, "time", H5T_NATIVE_DOUBLE, time, {3});
      {
        h5 ds(H5Dopen2(m, "time", H5P_DEFAULT), H5Dclose);
        write_string_attr(ds, "units", "ms");
      }
    }
  });
}

void write_weights(const std::string& path, const std::vector<weight_table>& finals, const std::vector<std::string>& units,
                   const std::vector<weight_log>& recorded) {
  atomically(path, [&](const std::string& tmp) {
    h5 file(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    h5 top(H5Gcreate2(file, "weights", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
    auto with_units = [](hid_t loc, const char* name, const std::string& unit) {
      h5 ds(H5Dopen2(loc, name, H5P_DEFAULT), H5Dclose);
      write_string_attr(ds, "units", unit);
    };
    for (std::size_t i = 0; i < finals.size(); ++i) {
      const weight_table& t = finals[i];
      h5 g(H5Gcreate2(top, t.projection.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
      write_dataset(g, "source_node_ids", H5T_NATIVE_UINT64, t.sources.data(), {t.sources.size()});
      write_dataset(g, "target_node_ids", H5T_NATIVE_UINT64, t.targets.data(), {t.targets.size()});
      write_dataset(g, "delays", H5T_NATIVE_DOUBLE, t.delays.data(), {t.delays.size()});
      with_units(g, "delays", "ms");
      write_dataset(g, "weights", H5T_NATIVE_DOUBLE, t.weights.data(), {t.weights.size()});
      with_units(g, "weights", units[i]);
      for (const weight_log& l : recorded) {
        if (l.synapses.projection != t.projection) continue;
        h5 r(H5Gcreate2(g, "recorded", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
        const std::size_t m = l.synapses.sources.size();
        write_dataset(r, "source_node_ids", H5T_NATIVE_UINT64, l.synapses.sources.data(), {m});
        write_dataset(r, "target_node_ids", H5T_NATIVE_UINT64, l.synapses.targets.data(), {m});
        if (l.on_change) {   // one entry per change: time, which synapse, new weight
          write_string_attr(r, "mode", "on_change");
          write_dataset(r, "data", H5T_NATIVE_DOUBLE, l.data.data(), {l.data.size()});
          with_units(r, "data", units[i]);
          write_dataset(r, "synapse", H5T_NATIVE_UINT32, l.change_synapses.data(), {l.change_synapses.size()});
          write_dataset(r, "time", H5T_NATIVE_DOUBLE, l.change_times.data(), {l.change_times.size()});
          with_units(r, "time", "ms");
          break;
        }
        write_dataset(r, "data", H5T_NATIVE_DOUBLE, l.data.data(), {l.samples, m});
        with_units(r, "data", units[i]);
        const double time[3] = {l.time_of(0), l.time_of(l.samples), l.interval_ms};
        write_dataset(r, "time", H5T_NATIVE_DOUBLE, time, {3});
        with_units(r, "time", "ms");
        break;   // one recorder per projection (the readers refuse a second)
      }
    }
  });
}

void write_spikes_csv(const std::string& path, const std::vector<spike_log>& logs) {
  atomically(path, [&](const std::string& tmp) {
    std::ofstream out(tmp);
    out << "population,node_id,time_ms\n";
    for (const auto& l : logs)
      if (l.stored)
        for (std::size_t i = 0; i < l.times.size(); ++i) out << fmt::format("{},{},{:.17g}\n", l.population, l.node_ids[i], l.times[i]);
    if (!out.flush()) throw std::runtime_error("cannot write " + tmp);
  });
}

std::string unit_of(const std::string& v) {
  if (v.rfind("V_", 0) == 0) return "mV";
  if (v.rfind("I_", 0) == 0) return "pA";
  if (v.rfind("g_", 0) == 0) return "nS";
  return "";
}

}  // namespace apical
