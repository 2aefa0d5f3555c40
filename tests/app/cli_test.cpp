#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <thread>

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
  {
    // the load per thread: one figure per thread, together the deliver and update phases
    std::ifstream in(out / "summary.json");
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string json = ss.str();
    auto number_after = [&](const std::string& key, std::size_t from = 0) {
      const std::size_t at = json.find(key, from);
      REQUIRE(at != std::string::npos);
      return std::stod(json.substr(at + key.size()));
    };
    const std::size_t busy = json.find("\"thread_busy_s\": [");
    REQUIRE(busy != std::string::npos);
    const std::string list = json.substr(busy, json.find(']', busy) - busy);
    CHECK(std::count(list.begin(), list.end(), ',') == 1);
    const double b0 = number_after("\"thread_busy_s\": ["), b1 = number_after(", ", busy);
    CHECK(b0 > 0.0);
    CHECK(b1 > 0.0);
    // all four printed to 1e-6 s
    CHECK(std::abs(b0 + b1 - (number_after("\"deliver_s\": ") + number_after("\"update_s\": "))) <= 2.5e-6);
  }

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

TEST_CASE("a spike recorder with record = false counts every population's spikes and stores none") {
  write("small_count.toml", small_model);
  const fs::path kept = "cli_count_kept", counted = "cli_count_only";
  fs::remove_all(kept);
  fs::remove_all(counted);
  const auto a = run("run small_count.toml --threads 2 --out " + kept.string(), "count_a");
  const auto b = run("run small_count.toml --threads 2 --set recorder.0.record=false --out " + counted.string(), "count_b");
  INFO(a.err << b.err);
  REQUIRE(a.code == 0);
  REQUIRE(b.code == 0);
  auto text = [](const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  // the populations' counts (the summary's "spikes" entries) are the same
  auto counts = [&](const fs::path& out) {
    const std::string json = text(out / "summary.json");
    std::vector<long> n;
    for (std::size_t at = json.find("\"spikes\": "); at != std::string::npos; at = json.find("\"spikes\": ", at + 1))
      n.push_back(std::stol(json.substr(at + 10)));
    return n;
  };
  const auto na = counts(kept), nb = counts(counted);
  CHECK(na.size() == 3);   // the total, exc, inh
  CHECK(na == nb);
  CHECK(na.front() > 0);
  // spikes.h5 of the count-only run holds no population
  hid_t f = H5Fopen((counted / "spikes.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  hid_t g = H5Gopen2(f, "/spikes", H5P_DEFAULT);
  REQUIRE(g >= 0);
  H5G_info_t info;
  H5Gget_info(g, &info);
  CHECK(info.nlinks == 0);
  H5Gclose(g);
  H5Fclose(f);
  hid_t fa = H5Fopen((kept / "spikes.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(fa >= 0);
  CHECK(H5Lexists(fa, "/spikes/exc", H5P_DEFAULT) > 0);
  H5Fclose(fa);
}

TEST_CASE("apical sweep runs every combination and tabulates the rates, and a bad value stops it before any run") {
  const fs::path out = "cli_sweep_out";
  fs::remove_all(out);
  write("sweep.toml", small_model);
  auto r = run("sweep sweep.toml --vary population.exc.I_e=300,400 --vary simulation.seed=1,2 --progress never --out " + out.string(),
               "sweep");
  INFO(r.err);
  REQUIRE(r.code == 0);
  std::ifstream in(out / "sweep.csv");
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  REQUIRE(lines.size() == 5);
  CHECK(lines[0] == "run,population.exc.I_e,simulation.seed,rate_exc_Hz,rate_inh_Hz,spikes,run_s");
  CHECK(lines[1].rfind("000,300,1,", 0) == 0);
  CHECK(lines[4].rfind("003,400,2,", 0) == 0);
  for (const char* d : {"000", "001", "002", "003"}) CHECK(fs::exists(out / d / "summary.json"));
  // I_e = 300 pA stays below the threshold of lif_exp (16 mV above rest at 400 pA, 12 at 300)
  auto exc_rate = [&](int i) {
    std::string line = lines[i];
    for (int k = 0; k < 3; ++k) line = line.substr(line.find(',') + 1);
    return std::stod(line.substr(0, line.find(',')));
  };
  CHECK(exc_rate(1) == 0.0);
  CHECK(exc_rate(3) > 10.0);

  fs::remove_all(out);
  r = run("sweep sweep.toml --vary population.exc.I_e=300,-1 --vary population.exc.tau_m=10,-3 --out " + out.string(), "sweep_bad");
  CHECK(r.code == 2);
  CHECK(r.err.find("--set population.exc.tau_m=-3: population[0].params.tau_m: must be > 0 ms") != std::string::npos);
  CHECK(!fs::exists(out));
}

TEST_CASE("apical plot draws raster, rates, weights and state of a run as PNG files") {
  const fs::path out = "cli_plot_out";
  fs::remove_all(out);
  // a run with plastic weights recorded over time and state reports
  auto r = run(std::string("run ") + APICAL_SOURCE_DIR + "/models/urbanczik_senn2014.toml --duration 1000 --progress never --out " +
                   out.string(),
               "plot_run");
  INFO(r.err);
  REQUIRE(r.code == 0);
  r = run("plot " + out.string() + " --out " + (out / "figures").string(), "plot");
  INFO(r.err);
  REQUIRE(r.code == 0);
  for (const char* name : {"raster.png", "rates.png", "weights.png", "state.png"}) {
    const fs::path png = out / "figures" / name;
    INFO(png);
    REQUIRE(fs::exists(png));
    CHECK(fs::file_size(png) > 10000);   // a drawn figure, not an empty canvas
    std::ifstream f(png, std::ios::binary);
    char sig[8] = {};
    f.read(sig, 8);
    CHECK(std::string(sig + 1, 3) == "PNG");
  }
  for (const auto& e : fs::directory_iterator(out / "figures")) CHECK(e.path().extension() == ".png");

  r = run("plot cli_no_such_dir", "plot_bad");
  CHECK(r.code == 2);
  CHECK(r.err.find("apical plot: error: cli_no_such_dir") != std::string::npos);
}

namespace {
std::string summary_text(const fs::path& dir) {
  std::ifstream in(dir / "summary.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
/// The "spike_hash" of a run's summary.json.
std::string summary_hash(const fs::path& dir) {
  const std::string s = summary_text(dir);
  const auto at = s.find("\"spike_hash\": \"");
  return at == std::string::npos ? "" : s.substr(at + 15, 16);
}
/// The number after `"key": ` in a run's summary.json.
double summary_number(const fs::path& dir, const std::string& key) {
  const std::string s = summary_text(dir);
  const auto at = s.find("\"" + key + "\": ");
  REQUIRE(at != std::string::npos);
  return std::stod(s.substr(at + key.size() + 4));
}
}  // namespace

TEST_CASE("apical run --checkpoint-every, killed, then apical resume with another thread count: the same spikes") {
  const fs::path ref = "cli_resume_ref", cut = "cli_resume_cut";
  fs::remove_all(ref);
  fs::remove_all(cut);
  const std::string model = std::string(APICAL_SOURCE_DIR) + "/models/coba_stdp.toml";
  auto r = run("run " + model + " --duration 4000 --progress never --out " + ref.string(), "resume_ref");
  REQUIRE(r.code == 0);
  // what the plastic synapses hold: at least a weight (8 bytes), a target (2)
  // and an index entry (4) each
  const double plastic = summary_number(ref, "plastic_synapses");
  CHECK(plastic > 200000);
  CHECK(summary_number(ref, "plastic_bytes") >= 14 * plastic);

  // the interrupted run: killed (SIGKILL, nothing flushed) once a checkpoint exists
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    freopen("/dev/null", "w", stdout);
    freopen("/dev/null", "w", stderr);
    execl(APICAL_EXE, APICAL_EXE, "run", model.c_str(), "--duration", "4000", "--threads", "2", "--checkpoint-every", "100",
          "--progress", "never", "--out", cut.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  while (!fs::exists(cut / "checkpoint.apc") && waitpid(pid, nullptr, WNOHANG) == 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(WIFSIGNALED(status));   // it was interrupted, not finished
  CHECK(!fs::exists(cut / "summary.json"));

  r = run("resume " + cut.string() + " --threads 1 --progress never", "resume");
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.err.find(" from ") != std::string::npos);   // it did resume, not start again
  CHECK(summary_hash(cut).size() == 16);
  CHECK(summary_hash(cut) == summary_hash(ref));

  // a damaged checkpoint is refused by name, with exit status 2
  std::ofstream(cut / "checkpoint.apc", std::ios::binary | std::ios::app) << "x";
  r = run("resume " + cut.string(), "resume_bad");
  CHECK(r.code == 2);
  CHECK(r.err.find((cut / "checkpoint.apc").string() + ": truncated or padded") != std::string::npos);
  r = run("resume cli_no_such_run", "resume_none");
  CHECK(r.code == 2);
  CHECK(r.err.find("cannot open the checkpoint") != std::string::npos);
}

TEST_CASE("a run into a used output folder removes the earlier run's outputs it does not write, and lists its own") {
  const fs::path out = "cli_reuse_out";
  fs::remove_all(out);
  write("reuse_state.toml", small_model);
  std::string no_state = small_model;
  no_state = no_state.substr(0, no_state.find("[[recorder]]\ntype = \"state\""));
  write("reuse_plain.toml", no_state);
  auto r = run("run reuse_state.toml --csv --out " + out.string(), "reuse1");
  REQUIRE(r.code == 0);
  CHECK(fs::exists(out / "V_m.h5"));
  CHECK(fs::exists(out / "spikes.csv"));
  std::ofstream(out / "notes.txt") << "the user's own file";
  r = run("run reuse_plain.toml --out " + out.string(), "reuse2");
  REQUIRE(r.code == 0);
  CHECK(!fs::exists(out / "V_m.h5"));
  CHECK(!fs::exists(out / "spikes.csv"));
  CHECK(fs::exists(out / "notes.txt"));   // not apical's: kept
  std::ifstream in(out / "summary.json");
  std::stringstream ss;
  ss << in.rdbuf();
  CHECK(ss.str().find("\"files\": [\"spikes.h5\"]") != std::string::npos);
}
