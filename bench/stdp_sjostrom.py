#!/usr/bin/env python3
"""Pfister & Gerstner (2006) triplet rule on the Sjöström et al. (2001) protocol.

Runs `apical run models/stdp_sjostrom.toml`, reads the final weights from
weights.h5, computes the rule's exact prediction from the protocol's spike
trains by direct sums over spike pairs and triplets (numpy, independent of
apical), prints the table and plots apical, the prediction and the data
against pairing frequency (docs/figures/stdp_sjostrom.png).

Usage: /usr/bin/python3 bench/stdp_sjostrom.py [--apical build/apical] [--out DIR]
"""
import argparse
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, 'models', 'stdp'))
from make_sjostrom import FREQS, DTS, trains  # noqa: E402

# Sjöström, Turrigiano & Nelson (2001), L5 visual cortex, 60 pairings: relative
# weight change and its s.e.m. for dt = +10 ms and -10 ms (as fitted by Pfister
# & Gerstner 2006, Fig. 6; tabulated in vhlab-toolbox sjostrom_freq_stdp.m).
DATA = {0.1: (-0.04, 0.05, -0.29, 0.08), 10.0: (0.14, 0.10, -0.41, 0.11), 20.0: (0.29, 0.14, -0.34, 0.10),
        40.0: (0.53, 0.11, 0.56, 0.32), 50.0: (0.56, 0.26, 0.75, 0.19)}

# the model file's rule (minimal all-to-all visual cortex model)
TAU_PLUS, TAU_MINUS, TAU_X, TAU_Y = 16.8, 33.7, 101.0, 114.0
A2P, A3P, A2M, A3M = 0.0, 6.5e-3, 7.1e-3, 0.0


def prediction(pre, post):
    """Weight change of the triplet rule, event by event, traces as direct sums
    over earlier spikes (a pre and a post spike at the same time do not pair)."""
    pre, post = np.asarray(pre), np.asarray(post)
    events = sorted([(t, 0) for t in post] + [(t, 1) for t in pre])   # post before pre at equal times
    w = 1.0
    for t, is_pre in events:
        if is_pre:
            o1 = np.exp(-(t - post[post < t]) / TAU_MINUS).sum()
            r2 = np.exp(-(t - pre[pre < t]) / TAU_X).sum()
            w -= o1 * (A2M + A3M * r2)
        elif t <= pre.max():   # apical applies potentiation at the next pre spike
            r1 = np.exp(-(t - pre[pre < t]) / TAU_PLUS).sum()
            o2 = np.exp(-(t - post[post < t]) / TAU_Y).sum()
            w += r1 * (A2P + A3P * o2)
    return w - 1.0


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--apical', default=os.path.join(ROOT, 'build', 'apical'))
    p.add_argument('--out', default='/tmp/apical-stdp-sjostrom')
    p.add_argument('--plot', default=os.path.join(ROOT, 'docs', 'figures', 'stdp_sjostrom.png'))
    a = p.parse_args()
    subprocess.run([a.apical, 'run', os.path.join(ROOT, 'models', 'stdp_sjostrom.toml'), '--out', a.out, '--progress', 'never'],
                   check=True, stdout=subprocess.DEVNULL)
    import h5py
    with h5py.File(os.path.join(a.out, 'weights.h5'), 'r') as f:
        g = f['weights/pairing']
        targets = g['target_node_ids'][:]
        w = g['weights'][:]
    dw_apical = dict(zip(targets.tolist(), (w - 1.0).tolist()))
    pre, teacher = trains(60)
    rows = []
    print(f"{'f [Hz]':>7} {'dt [ms]':>8} {'apical':>10} {'prediction':>11} {'|diff|':>9} {'data':>7} {'sem':>5}")
    for i, f in enumerate(FREQS):
        for j, dt in enumerate(DTS):
            k = 2 * i + j
            tp = [t for n, t in pre if n == k]
            tq = [t + 0.1 for n, t in teacher if n == k]   # post spikes: teacher + its delay
            pred = prediction(tp, tq)
            d, s = DATA[f][2 * j], DATA[f][2 * j + 1]
            rows.append((f, dt, dw_apical[k], pred, d, s))
            print(f"{f:>7g} {dt:>+8g} {dw_apical[k]:>10.6f} {pred:>11.6f} {abs(dw_apical[k] - pred):>9.1e} {d:>7.2f} {s:>5.2f}")
    worst = max(abs(r[2] - r[3]) for r in rows)
    print(f"largest |apical - prediction| = {worst:.2e}")
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(5.5, 4))
    for j, (dt, c) in enumerate(zip(DTS, ('tab:red', 'tab:blue'))):
        sel = [r for r in rows if r[1] == dt]
        fx = [r[0] for r in sel]
        ax.errorbar(fx, [100 * r[4] for r in sel], yerr=[100 * r[5] for r in sel], fmt='o', color=c, capsize=3,
                    label=f'Sjöström 2001, dt = {dt:+g} ms')
        ax.plot(fx, [100 * r[2] for r in sel], '-', color=c, label=f'apical triplet rule, dt = {dt:+g} ms')
        ax.plot(fx, [100 * r[3] for r in sel], 'x', color='k', ms=5)
    ax.axhline(0, color='grey', lw=0.5)
    ax.set_xlabel('pairing frequency [Hz]')
    ax.set_ylabel('weight change after 60 pairings [%]')
    ax.set_title('Triplet STDP (Pfister & Gerstner 2006), minimal all-to-all\n× = exact prediction', fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(a.plot, dpi=120)
    print(f"plot: {a.plot}")


if __name__ == '__main__':
    main()
