#!/usr/bin/env python3
"""Izhikevich (2007) distal reward in the 1000-neuron network: models/izhikevich2007.toml.

Runs the model (the reward follows E[1] firing within 10 ms after E[0]) and a
control in which the reward follows the same contingency for another pair
(E[2] -> E[3]), so that rewards come as often but carry no information about
the synapse E[0] -> E[1]. Prints the rewarded synapse's weight every 5 min,
the reward rate and the distribution of the other E -> E weights, and plots
both (docs/figures/izhikevich2007.png). Runs the two simulations at once.

Usage: /usr/bin/python3 bench/izhikevich2007.py [--apical build/apical] [--seconds 3600]
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
MODEL = os.path.join(ROOT, 'models', 'izhikevich2007.toml')


def control(text):
    """The reward contingency moved from E[0] -> E[1] to E[2] -> E[3]."""
    text = text.replace('source_nodes = [0]\nrule = "all_to_all"\nweight = 1.0\ndelay = 1.0\nreceptor = "pre"',
                        'source_nodes = [2]\nrule = "all_to_all"\nweight = 1.0\ndelay = 1.0\nreceptor = "pre"')
    text = text.replace('source_nodes = [1]\nrule = "all_to_all"\nweight = 1.0\ndelay = 1.0\nreceptor = "post"',
                        'source_nodes = [3]\nrule = "all_to_all"\nweight = 1.0\ndelay = 1.0\nreceptor = "post"')
    assert 'source_nodes = [2]' in text and 'source_nodes = [3]' in text
    return text


def run(apical, work, tag, text, seconds):
    out = run_variant(apical, work, tag, text, seconds)
    with h5py.File(os.path.join(out, 'weights.h5')) as f:
        others = f['/weights/EE/weights'][:]
        trace = f['/weights/rewarded/recorded/data'][:].ravel()
    with h5py.File(os.path.join(out, 'spikes.h5')) as f:
        rewards = f['/spikes/reward/timestamps'][:]
        e = f['/spikes/E/timestamps'][:]
        i = f['/spikes/I/timestamps'][:]
    return tag, dict(others=others, trace=trace, rewards=rewards, rate_E=len(e) / 800 / seconds, rate_I=len(i) / 200 / seconds)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--apical', default=os.path.join(ROOT, 'build', 'apical'))
    p.add_argument('--seconds', type=float, default=3600.0)
    p.add_argument('--plot', default=os.path.join(ROOT, 'docs', 'figures', 'izhikevich2007.png'))
    a = p.parse_args()
    text = open(MODEL).read()
    work = tempfile.mkdtemp(prefix='apical-izhikevich2007-')
    jobs = [('rewarded', text), ('control', control(text))]
    with cf.ThreadPoolExecutor(2) as ex:
        res = dict(ex.map(lambda j: run(a.apical, work, j[0], j[1], a.seconds), jobs))
    print(f'Izhikevich 2007, {a.seconds:g} s; weight of E[0] -> E[1] every 5 min [mV]:')
    for tag in ('rewarded', 'control'):
        r = res[tag]
        o = r['others']
        print(f'  {tag:9} {np.round(r["trace"][299::300], 2).tolist()}')
        print(f'  {"":9} {len(r["rewards"])} rewards ({len(r["rewards"]) / a.seconds * 60:.2f}/min), rates E {r["rate_E"]:.2f} Hz, '
              f'I {r["rate_I"]:.2f} Hz; other E->E weights: mean {o.mean():.3f}, median {np.median(o):.3f}, '
              f'95th percentile {np.percentile(o, 95):.3f}, above 3.5 mV {np.mean(o > 3.5) * 100:.2f}%')
        first = np.argmax(r['trace'] >= 3.6) if np.any(r['trace'] >= 3.6) else None
        print(f'  {"":9} reaches 0.9 w_max after {first / 60:.1f} min' if first is not None else f'  {"":9} never reaches 0.9 w_max')

    fig, ax = two_panels()
    for tag, style in (('rewarded', '-'), ('control', '--')):
        t = np.arange(1, len(res[tag]['trace']) + 1) / 60.0
        ax[0].plot(t, res[tag]['trace'], style, label='E[0] -> E[1], ' + ('rewarded' if tag == 'rewarded' else 'not rewarded (control)'))
    ax[0].set_xlabel('time (min)')
    ax[0].set_ylabel('weight (mV)')
    ax[0].set_ylim(0, 4.2)
    ax[0].legend()
    ax[0].set_title('the rewarded synapse')
    ax[1].hist(res['rewarded']['others'], np.linspace(0, 4, 41), color='gray')
    ax[1].axvline(res['rewarded']['trace'][-1], color='C0', label='rewarded synapse')
    ax[1].axvline(1.0, color='k', ls=':', label='initial weight (all)')
    ax[1].set_yscale('log')
    ax[1].set_xlabel('weight (mV)')
    ax[1].set_ylabel('E -> E synapses')
    ax[1].set_title(f'all other E -> E weights after {a.seconds / 60:g} min')
    ax[1].legend()
    save(fig, 'Izhikevich (2007) distal reward in apical (models/izhikevich2007.toml)', a.plot)


if __name__ == '__main__':
    main()
