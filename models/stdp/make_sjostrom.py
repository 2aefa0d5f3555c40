#!/usr/bin/env python3
"""Spike trains of the Sjöström et al. (2001) pairing protocol, for
models/stdp_sjostrom.toml: 60 pre/post pairings at 0.1, 10, 20, 40 and 50 Hz,
with the post spike 10 ms after (+10) or before (-10) the pre spike.

Node k = 2*i + j pairs at frequency FREQS[i] with dt = DTS[j]. Pre spikes at
t0 + n/f; the teacher spikes 0.1 ms (its delay) before each post spike.
Writes stdp_sjostrom_pre.txt and stdp_sjostrom_teacher.txt ("node_id time_ms").
Usage: python3 models/stdp/make_sjostrom.py [--pairings 60]
"""
import argparse
import os

FREQS = [0.1, 10.0, 20.0, 40.0, 50.0]   # Hz
DTS = [10.0, -10.0]                     # ms, t_post - t_pre
T0 = 100.0                              # ms, first pairing
TEACHER_DELAY = 0.1                     # ms


def trains(pairings):
    pre, teacher = [], []
    for i, f in enumerate(FREQS):
        for j, dt in enumerate(DTS):
            k = 2 * i + j
            for n in range(pairings):
                t = T0 + n * 1000.0 / f
                pre.append((k, t))
                teacher.append((k, t + dt - TEACHER_DELAY))
    return pre, teacher


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--pairings', type=int, default=60)
    a = p.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    pre, teacher = trains(a.pairings)
    for name, rows in (('pre', pre), ('teacher', teacher)):
        with open(os.path.join(here, f'stdp_sjostrom_{name}.txt'), 'w') as out:
            out.write(f'# node_id time_ms: Sjostrom 2001 protocol, {a.pairings} pairings ({name})\n')
            for k, t in sorted(rows, key=lambda r: (r[0], r[1])):
                out.write(f'{k} {t:.1f}\n')


if __name__ == '__main__':
    main()
