#pragma once
// The Potjans & Diesmann (2014, Cereb. Cortex 24:785) cortical microcircuit, as
// the reference PyNEST implementation (nest-simulator pynest/examples/Potjans_2014,
// Rothe, Bos & van Albada), lowered into an ordinary network description.
//
// 8 populations of lif_exp neurons (L23E 20683, L23I 5834, L4E 21915, L4I 5479,
// L5E 4850, L5I 1065, L6E 14395, L6I 2948), tau_m 10 ms, C_m 250 pF, E_L -65 mV,
// V_th -50 mV, V_reset -65 mV, t_ref 2 ms, tau_syn 0.5 ms.
// Connections: fixed_total_number with autapses and multapses, the number of
// synapses from connection probability C by K = ln(1-C) / ln(1 - 1/(N_pre N_post)).
// Weights: mean PSP 0.15 mV (87.81 pA), L4E -> L23E doubled, inhibitory g = -4,
// 10% sd, sign kept; delays normal 1.5 +- 0.75 ms (exc) and 0.75 +- 0.375 ms
// (inh), redrawn below the step. Background: K_ext inputs at 8 Hz, as Poisson
// input or as the equivalent DC. Optional thalamic pulse (902 Poisson sources).
// `n_scale`, `k_scale` shrink neurons and in-degrees; weights grow by
// 1/sqrt(k_scale) and a DC restores the lost mean input (van Albada, Helias &
// Diesmann 2015), computed from the full network's rates.
#include <string>

#include "core/network.hpp"

namespace apical {

struct microcircuit_options {
  double n_scale = 1.0;               ///< neurons
  double k_scale = 1.0;               ///< in-degrees
  std::string background = "poisson";   ///< "poisson" or "dc"
  bool thalamus = false;              ///< thalamic pulse at th_start for th_duration
  double th_start = 700.0, th_duration = 10.0, th_rate = 120.0;   ///< ms, ms, Hz
  std::string v0 = "optimized";       ///< initial V_m: "optimized" (per population) or "original"
};

/// Population names, in order.
inline constexpr const char* microcircuit_populations[8] = {"L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I"};

/// Appends the microcircuit's populations, projections and stimuli to `net`.
void build_microcircuit(const microcircuit_options& o, network_spec& net);

/// Mean rates of the full-scale network [Hz] (reference implementation), used
/// for the scaling compensation; also the validation targets.
extern const double microcircuit_full_rates[8];

}  // namespace apical
