#!/usr/bin/env python3
"""Song, Miller & Abbott (2000) at full size: models/song2000.toml (h = 0.1 ms).

For input rates 10..40 Hz, runs the model with additive STDP for --seconds of
biological time and with the initial weights kept fixed (A_plus = A_minus = 0),
and prints the output rate over the last fifth of the run and the final weight
distribution (tenths of g_max); then multiplicative STDP at 20 Hz. Plots output
against input rate and the two weight distributions (docs/figures/song2000.png).
Runs two apical processes at a time.

Usage: /usr/bin/python3 bench/song2000.py [--apical build/apical] [--seconds 1000] [--jobs 2]
"""
import argparse
import concurrent.futures as cf
import os
import re
import sys
import tempfile

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model_variant import run_variant, save, two_panels  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MODEL = os.path.join(ROOT, 'models', 'song2000.toml')
RATES = [10.0, 15.0, 20.0, 25.0, 30.0, 40.0]
G_MAX = 0.15   # nS, the model file's w_max


def variant(text, rate, dependence='additive', fixed=False):
    text = text.replace('params = { rate = 20.0 }', f'params = {{ rate = {rate} }}', 1)
    text = text.replace('"additive"', f'"{dependence}"')
    if fixed:
        text = re.sub(r'A_plus = [0-9.]+', 'A_plus = 0.0', text)
        text = re.sub(r'A_minus = [0-9.]+', 'A_minus = 0.0', text)
    return text


def run(apical, workdir, tag, text, seconds):
    out = run_variant(apical, workdir, tag, text, seconds)
    with h5py.File(os.path.join(out, 'spikes.h5')) as f:
        t = f['/spikes/neuron/timestamps'][:]
    last = seconds * 1000.0 * 0.8
    rate = np.count_nonzero(t >= last) / (seconds * 0.2)
    with h5py.File(os.path.join(out, 'weights.h5')) as f:
        w = f['/weights/stdp/weights'][:] / G_MAX
    return tag, rate, np.histogram(w, np.linspace(0, 1, 11))[0], w


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--apical', default=os.path.join(ROOT, 'build', 'apical'))
    p.add_argument('--seconds', type=float, default=1000.0)
    p.add_argument('--jobs', type=int, default=2)
    p.add_argument('--plot', default=os.path.join(ROOT, 'docs', 'figures', 'song2000.png'))
    a = p.parse_args()
    text = open(MODEL).read()
    work = tempfile.mkdtemp(prefix='apical-song2000-')
    jobs = []
    for r in RATES:
        jobs.append((f'additive_{r:g}', variant(text, r), a.seconds))
        jobs.append((f'fixed_{r:g}', variant(text, r, fixed=True), 20.0))
    jobs.append(('multiplicative_20', variant(text, 20.0, 'multiplicative'), a.seconds / 2))
    with cf.ThreadPoolExecutor(a.jobs) as ex:
        res = {tag: (rate, hist, w) for tag, rate, hist, w in
               ex.map(lambda j: run(a.apical, work, *j), sorted(jobs, key=lambda j: -j[2]))}

    print(f'Song 2000, {a.seconds:g} s per run, output rate over the last {a.seconds * 0.2:g} s')
    print(f'{"input Hz":>9} {"STDP Hz":>8} {"fixed Hz":>9}   weights per tenth of g_max (STDP)')
    for r in RATES:
        rate, hist, _ = res[f'additive_{r:g}']
        print(f'{r:9.0f} {rate:8.2f} {res[f"fixed_{r:g}"][0]:9.2f}   {hist.tolist()}')
    rate, hist, _ = res['multiplicative_20']
    print(f'multiplicative, 20 Hz: {rate:.2f} Hz, weights per tenth {hist.tolist()}')

    fig, ax = two_panels()
    ax[0].plot(RATES, [res[f'additive_{r:g}'][0] for r in RATES], 'o-', label='additive STDP (learnt)')
    ax[0].plot(RATES, [res[f'fixed_{r:g}'][0] for r in RATES], 's--', label='initial weights, fixed')
    ax[0].set_yscale('log')
    ax[0].set_xlabel('input rate (Hz)')
    ax[0].set_ylabel('output rate (Hz)')
    ax[0].legend()
    ax[0].set_title('output rate after learning')
    bins = np.linspace(0, 1, 21)
    ax[1].hist(res['additive_20'][2], bins, alpha=0.7, label='additive')
    ax[1].hist(res['multiplicative_20'][2], bins, alpha=0.7, label='multiplicative')
    ax[1].set_xlabel('w / g_max')
    ax[1].set_ylabel('synapses')
    ax[1].set_title('final weights, 20 Hz inputs')
    ax[1].legend()
    save(fig, 'Song, Miller & Abbott (2000) in apical (models/song2000.toml)', a.plot)


if __name__ == '__main__':
    main()
