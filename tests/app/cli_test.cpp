#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <algorithm>
#include <string>
#include <vector>

#include <hdf5.h>

namespace fs = std::filesystem;

namespace {
struct result {
  int code;
  std::string err;
};

/// Runs the program; `tag` names its stderr file (tests run in parallel).
result run(const std::string& args, const std::string& tag) {
  const std::string err_file = "cli_test_stderr_" + tag + ".txt";
  const std::string cmd = std::string(APICAL_EXE) + " " + args + " > /dev/null 2> " + err_file;
  const int status = std::system(cmd.c_str());
  std::ifstream in(err_file);
  std::stringstream ss;
  ss << in.rdbuf();
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, ss.str()};
}

void write(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
}

const char* small_model = R"([simulation]
name = "small"
duration = 50.0
[[population]]
name = "exc"
model = "lif_exp"
size = 20
params = { I_e = 400.0 }
[[population]]
name = "inh"
model = "lif_delta"
size = 5
params = { I_e = 400.0 }
[[projection]]
source = "exc"
target = "inh"
rule = "fixed_indegree"
indegree = 4
weight = 0.5
delay = 1.0
[[recorder]]
type = "spikes"
[[recorder]]
type = "state"
populations = ["exc"]
variables = ["V_m"]
count = 3
interval = 1.0
)";
}  // namespace

TEST_CASE("apical run: bad input exits with 2, names file, line and key, and writes nothing") {
  const fs::path out = "cli_bad_out";
  fs::remove_all(out);
  struct bad_case {
    const char* from;
    const char* to;
    const char* expect;
  };
  for (const auto& c : {bad_case{"size = 20", "size = 20\nfoo = 1", "bad.toml:8: population[0].foo: unknown key"},
                        bad_case{"delay = 1.0", "delay = 0.01", "bad.toml:20: projection[0].delay"},
                        bad_case{"target = \"inh\"", "target = \"nope\"", "bad.toml:16: projection[0].target: no population named 'nope'"},
                        bad_case{"params = { I_e = 400.0 }\n[[population]]", "params = { tau_m = -1.0 }\n[[population]]",
                                 "bad.toml:8: population[0].params.tau_m: must be > 0 ms"}}) {
    std::string text = small_model;
    text.replace(text.find(c.from), std::string(c.from).size(), c.to);
    write("bad.toml", text);
    const auto r = run("run bad.toml --out " + out.string(), "bad");
    INFO(r.err);
    CHECK(r.code == 2);
    CHECK(r.err.find(c.expect) != std::string::npos);
    CHECK(!fs::exists(out));
  }
  CHECK(run("run does_not_exist.toml --out " + out.string(), "bad").code == 2);
  CHECK(run("run --threads 0 bad.toml", "bad").code == 2);
  CHECK(!fs::exists(out));
}

TEST_CASE("apical run writes SONATA spikes, a state report and a summary") {
  const fs::path out = "cli_good_out";
  fs::remove_all(out);
  write("small.toml", small_model);
  const auto r = run("run small.toml --threads 2 --out " + out.string(), "good");
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(fs::exists(out / "summary.json"));
  CHECK(fs::exists(out / "V_m.h5"));
  for (const auto& e : fs::directory_iterator(out)) CHECK(e.path().string().find(".tmp") == std::string::npos);

  hid_t f = H5Fopen((out / "spikes.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  for (const char* pop : {"exc", "inh"}) {
    const std::string g = std::string("/spikes/") + pop;
    hid_t ts = H5Dopen2(f, (g + "/timestamps").c_str(), H5P_DEFAULT);
    hid_t ids = H5Dopen2(f, (g + "/node_ids").c_str(), H5P_DEFAULT);
    REQUIRE(ts >= 0);
    REQUIRE(ids >= 0);
    hid_t space = H5Dget_space(ts);
    const hssize_t n = H5Sget_simple_extent_npoints(space);
    CHECK(n > 0);
    std::vector<double> t(n);
    H5Dread(ts, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, t.data());
    CHECK(std::is_sorted(t.begin(), t.end()));
    // units attribute "ms"
    hid_t a = H5Aopen(ts, "units", H5P_DEFAULT);
    REQUIRE(a >= 0);
    hid_t at = H5Aget_type(a);
    std::string units(H5Tget_size(at), '\0');
    H5Aread(a, at, units.data());
    CHECK(units.substr(0, 2) == "ms");
    // sorting enum by_time
    hid_t grp = H5Gopen2(f, g.c_str(), H5P_DEFAULT);
    hid_t s = H5Aopen(grp, "sorting", H5P_DEFAULT);
    REQUIRE(s >= 0);
    hid_t st = H5Aget_type(s);
    CHECK(H5Tget_class(st) == H5T_ENUM);
    char v = -1;
    H5Aread(s, st, &v);
    char name[16] = {};
    H5Tenum_nameof(st, &v, name, sizeof(name));
    CHECK(std::string(name) == "by_time");
    H5Tclose(st);
    H5Aclose(s);
    H5Gclose(grp);
    H5Tclose(at);
    H5Aclose(a);
    H5Sclose(space);
    H5Dclose(ids);
    H5Dclose(ts);
  }
  H5Fclose(f);
  CHECK(run("info small.toml", "good").code == 0);
  CHECK(run("models", "good").code == 0);
}
