#!/usr/bin/env python3
"""Urbanczik & Senn (2014) Fig. 1B at full size: models/urbanczik_senn2014.toml.

Runs the model (teacher on for 100 presentations of the 200 ms pattern, the
paper's protocol), the same with the teacher on for 1000 presentations, with
NEST's 3 ms dead time (t_ref = 3, as NEST's example), and with the synapses
frozen (eta = 0). For each presentation p it computes the prediction error
  e(p) = RMS over the presentation of phi(V*_w(t)) - phi(U_M(t))   [Hz]
(U_M = (g_ex E_ex + g_in E_in) / (g_ex + g_in) from the recorded somatic
conductances), prints e in the first teacher presentation and the mean over
the last 10, and plots the traces before and after learning and the learning
curves (docs/figures/urbanczik_senn2014.png).

Usage: /usr/bin/python3 bench/urbanczik_senn2014.py [--apical build/apical] [--jobs 2]
"""
import argparse
import concurrent.futures as cf
import os
import sys
import tempfile

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model_variant import run_variant, save, two_panels  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MODEL = os.path.join(ROOT, 'models', 'urbanczik_senn2014.toml')
PER = 2000   # samples (0.1 ms) per presentation


def phi(u):   # Hz, pyramidal_2c defaults
    return 1000.0 * 0.15 / (1.0 + 0.5 * np.exp((-55.0 - u) / 3.0))


def variant(text, teach, t_ref=0.0, eta=0.17):
    stop = 400.0 + 200.0 * teach
    text = text.replace('stop = 20400.0', f'stop = {stop}')
    text = text.replace('params = { t_ref = 0.0 }', f'params = {{ t_ref = {t_ref} }}')
    text = text.replace('eta = 0.17', f'eta = {eta}')
    return text, (stop + 400.0) / 1000.0


def run(apical, workdir, tag, text, seconds, teach):
    out = run_variant(apical, workdir, tag, text, seconds)
    trace = {}
    for v in ('V_d', 'g_ex', 'g_in'):
        with h5py.File(os.path.join(out, v + '.h5')) as f:
            trace[v] = f['/report/neuron/data'][:, 0]
    v_star = (30.0 * -70.0 + 600.0 * trace['V_d']) / 630.0
    u_m = (trace['g_in'] * -75.0) / (trace['g_ex'] + trace['g_in'] + 1e-300)
    n = len(v_star) // PER
    e = np.sqrt(np.mean((phi(v_star[:n * PER]) - phi(u_m[:n * PER])).reshape(n, PER) ** 2, axis=1))
    first, last = slice(2 * PER, 3 * PER), slice((teach + 1) * PER, (teach + 2) * PER)
    return tag, e, teach, (v_star[first], u_m[first], v_star[last], u_m[last])


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--apical', default=os.path.join(ROOT, 'build', 'apical'))
    p.add_argument('--jobs', type=int, default=2)
    p.add_argument('--plot', default=os.path.join(ROOT, 'docs', 'figures', 'urbanczik_senn2014.png'))
    a = p.parse_args()
    text = open(MODEL).read()
    work = tempfile.mkdtemp(prefix='apical-urbanczik-')
    jobs = [('paper', 100, {}), ('long', 1000, {}), ('dead_time', 100, {'t_ref': 3.0}), ('frozen', 100, {'eta': 0.0})]
    todo = []
    for tag, teach, kw in jobs:
        t, seconds = variant(text, teach, **kw)
        todo.append((tag, t, seconds, teach))
    with cf.ThreadPoolExecutor(a.jobs) as ex:
        res = {r[0]: r[1:] for r in ex.map(lambda j: run(a.apical, work, *j), todo)}

    print('Urbanczik & Senn 2014 Fig. 1B: prediction error RMS(phi(V*_w) - phi(U_M)) per 200 ms presentation')
    print(f'{"run":<11} {"teacher":>8} {"first Hz":>9} {"last 10 Hz":>11} {"ratio":>6}')
    for tag, teach, _ in jobs:
        e = res[tag][0]
        after = e[teach + 2 - 10:teach + 2].mean()
        print(f'{tag:<11} {teach:>8} {e[2]:9.2f} {after:11.2f} {e[2] / after:6.2f}')

    fig, ax = two_panels()
    t = np.arange(PER) * 0.1
    vb, ub, va, ua = res['paper'][2]
    ax[0].plot(t, ub, 'r', label='U_M (teacher)')
    ax[0].plot(t, vb, 'b:', label="V*_w, first teacher presentation")
    ax[0].plot(t, va, 'b', label='V*_w, after 100 presentations')
    ax[0].set_xlabel('time in pattern (ms)')
    ax[0].set_ylabel('potential (mV)')
    ax[0].legend(fontsize=8)
    ax[0].set_title('dendritic prediction vs matching potential')
    for tag, label in (('long', 'plastic, t_ref = 0'), ('dead_time', 'plastic, t_ref = 3 ms (NEST example)'),
                       ('frozen', 'synapses frozen')):
        e, teach = res[tag][0], res[tag][1]
        ax[1].plot(np.arange(1, teach + 1), e[2:teach + 2], label=label, lw=0.8)   # teacher on
    ax[1].set_xscale('log')
    ax[1].set_xlabel('presentation with the teacher')
    ax[1].set_ylabel('RMS phi(V*_w) - phi(U_M) (Hz)')
    ax[1].legend(fontsize=8)
    ax[1].set_title('prediction error')
    save(fig, 'Urbanczik & Senn (2014) Fig. 1B in apical (models/urbanczik_senn2014.toml)', a.plot)


if __name__ == '__main__':
    main()
