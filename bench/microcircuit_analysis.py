#!/usr/bin/python3
"""Analyses a Potjans-Diesmann microcircuit run of apical: per-population mean
rate and ISI CV after the transient, the E/I order in each layer, and the
reference rates; writes a rate bar chart and a raster plot (PNG).

    /usr/bin/python3 bench/microcircuit_analysis.py OUT_DIR [--transient 500] [--figures docs/figures]

OUT_DIR holds spikes.h5 and summary.json of `apical run models/microcircuit.toml`.
Needs python3-h5py and python3-matplotlib (bash .ci/deps --bench).
"""
import argparse
import json
import os

import h5py
import numpy as np

POPS = ['L23E', 'L23I', 'L4E', 'L4I', 'L5E', 'L5I', 'L6E', 'L6I']
# reference full-scale rates [Hz] (PyNEST Potjans_2014 full_mean_rates)
REFERENCE = [0.971, 2.868, 4.746, 5.396, 8.142, 9.078, 0.991, 7.523]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('out')
    ap.add_argument('--transient', type=float, default=500.0, help='ms')
    ap.add_argument('--figures', default=None, help='folder for PNGs')
    args = ap.parse_args()
    summary = json.load(open(os.path.join(args.out, 'summary.json')))
    T = summary['biological_ms']
    f = h5py.File(os.path.join(args.out, 'spikes.h5'), 'r')
    rows = []
    rasters = {}
    for pop, ref in zip(POPS, REFERENCE):
        g = f['spikes'][pop]
        t = g['timestamps'][:]
        ids = g['node_ids'][:]
        n = summary['populations'][pop]['neurons']
        keep = t >= args.transient
        t, ids = t[keep], ids[keep]
        rate = len(t) / n / ((T - args.transient) * 1e-3)
        order = np.lexsort((t, ids))
        t_sorted, ids_sorted = t[order], ids[order]
        cvs = []
        starts = np.searchsorted(ids_sorted, np.arange(n))
        ends = np.searchsorted(ids_sorted, np.arange(n), side='right')
        for a, b in zip(starts, ends):
            if b - a >= 3:
                isi = np.diff(t_sorted[a:b])
                cvs.append(isi.std() / isi.mean())
        cv = float(np.mean(cvs)) if cvs else float('nan')
        rows.append((pop, n, rate, ref, cv, len(cvs)))
        rasters[pop] = (t, ids, n)
    print(f"{summary['name']}: {summary['neurons']} neurons, {summary['synapses']} synapses; "
          f"rates after {args.transient:g} ms of {T:g} ms")
    print(f"{'population':10} {'neurons':>8} {'rate [Hz]':>10} {'reference':>10} {'ISI CV':>7} {'(neurons with >= 3 spikes)':>27}")
    for pop, n, rate, ref, cv, k in rows:
        print(f"{pop:10} {n:8d} {rate:10.3f} {ref:10.3f} {cv:7.3f} {k:27d}")
    for layer in range(4):
        e, i = rows[2 * layer][2], rows[2 * layer + 1][2]
        print(f"layer {POPS[2 * layer][:-1]}: inhibitory {'>' if i > e else '<='} excitatory ({i:.3f} vs {e:.3f} Hz)")
    print(f"markdown: | " + " | ".join(f"{r[2]:.2f}" for r in rows) + " |")
    print(f"markdown CV: | " + " | ".join(f"{r[4]:.2f}" for r in rows) + " |")
    if args.figures:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
        os.makedirs(args.figures, exist_ok=True)
        x = np.arange(len(POPS))
        fig, ax = plt.subplots(figsize=(7, 3.5))
        ax.bar(x - 0.2, [r[2] for r in rows], 0.4, label='apical')
        ax.bar(x + 0.2, REFERENCE, 0.4, label='reference (PyNEST)')
        ax.set_xticks(x, POPS)
        ax.set_ylabel('rate [Hz]')
        ax.set_title(f"{summary['name']}: mean rates after {args.transient:g} ms")
        ax.legend()
        fig.tight_layout()
        fig.savefig(os.path.join(args.figures, f"{summary['name']}_rates.png"), dpi=100)
        fig, ax = plt.subplots(figsize=(7, 5))
        offset = 0
        t0 = args.transient
        for k, pop in enumerate(POPS[::-1]):
            t, ids, n = rasters[pop]
            sel = (t < t0 + 100.0) & (ids % 10 == 0)   # 100 ms, every 10th neuron
            ax.plot(t[sel], ids[sel] + offset, '.', ms=1, color='C0' if pop.endswith('E') else 'C3')
            ax.text(t0 + 101, offset + n / 2, pop, va='center', fontsize=8)
            offset += n
        ax.set_xlim(t0, t0 + 100)
        ax.set_xlabel('time [ms]')
        ax.set_yticks([])
        ax.set_title(f"{summary['name']}: raster, every 10th neuron")
        fig.tight_layout()
        fig.savefig(os.path.join(args.figures, f"{summary['name']}_raster.png"), dpi=100)
        print('figures in', args.figures)


if __name__ == '__main__':
    main()
