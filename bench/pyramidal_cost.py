#!/usr/bin/env python3
"""Cost of pyramidal_2c and of the Urbanczik-Senn rule, from apical's phase timers.

1. Neuron: 2000 pyramidal_2c neurons with Poisson input onto soma and dendrite
   (poisson_input stimuli), 2 s, once per integrator (exact, rk4, dopri5):
   update time per neuron-step.
2. Rule: 200 pyramidal_2c neurons, each with 200 dendritic synapses from 2000
   Poisson sources at 10 Hz (fixed in-degree), 10 s: static synapses, the
   event-based update and the time-driven update. Cost per synaptic event =
   (deliver + update time of the plastic run - that of the static run) / events.

Single thread. Usage: /usr/bin/python3 bench/pyramidal_cost.py [--apical build/apical] [--repeat 3]
"""
import argparse
import json
import os
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

NEURON = """
[simulation]
resolution = 0.1
duration = 2000.0
seed = 1
[[population]]
name = "n"
model = "pyramidal_2c"
size = 2000
integrator = "{integ}"
[[stimulus]]
type = "poisson_input"
target = "n"
rate = 2000.0
weight = 60.0
receptor = "dendritic_exc"
[[stimulus]]
type = "poisson_input"
target = "n"
rate = 500.0
weight = 5.0
receptor = "soma_exc"
"""

RULE = """
[simulation]
resolution = 0.1
duration = 10000.0
seed = 1
[[population]]
name = "in"
model = "poisson_source"
size = 2000
params = {{ rate = 10.0 }}
[[population]]
name = "n"
model = "pyramidal_2c"
size = 200
[[projection]]
name = "dendritic"
source = "in"
target = "n"
rule = "fixed_indegree"
indegree = 200
weight = 80.0
delay = 1.0
receptor = "dendritic_exc"
{plasticity}
"""


def run(apical, text, work, tag):
    path = os.path.join(work, tag + '.toml')
    with open(path, 'w') as f:
        f.write(text)
    out = os.path.join(work, tag)
    subprocess.run([apical, 'run', path, '--out', out, '--progress', 'never'], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    with open(os.path.join(out, 'summary.json')) as f:
        return json.load(f)


def best(apical, text, work, tag, repeat):
    runs = [run(apical, text, work, tag) for _ in range(repeat)]
    return min(runs, key=lambda s: s['deliver_s'] + s['update_s'])


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--apical', default=os.path.join(ROOT, 'build', 'apical'))
    p.add_argument('--repeat', type=int, default=3)
    a = p.parse_args()
    work = tempfile.mkdtemp(prefix='apical-pyramidal-')
    print('pyramidal_2c update cost (2000 neurons, 2 s, 1 thread, best of %d)' % a.repeat)
    for integ in ('exact', 'rk4', 'dopri5'):
        s = best(a.apical, NEURON.format(integ=integ), work, 'neuron_' + integ, a.repeat)
        steps = 2000 * 20000
        print(f'  {integ:<7} {s["update_s"] * 1e9 / steps:8.1f} ns per neuron-step   (update {s["update_s"]:.3f} s, '
              f'{s["populations"]["n"]["rate_Hz"]:.1f} Hz)')
    print('Urbanczik-Senn rule (200 neurons x 200 synapses, 10 Hz inputs, 10 s, 1 thread, best of %d)' % a.repeat)
    static = best(a.apical, RULE.format(plasticity=''), work, 'static', a.repeat)
    base = static['deliver_s'] + static['update_s']
    print(f'  static       deliver+update {base:.3f} s, {static["synaptic_events"]} events')
    for update in ('event', 'time_driven'):
        pl = 'plasticity = { rule = "urbanczik_senn", eta = 0.17, w_max = 1350.0, update = "%s" }' % update
        s = best(a.apical, RULE.format(plasticity=pl), work, 'rule_' + update, a.repeat)
        t = s['deliver_s'] + s['update_s']
        print(f'  {update:<12} deliver+update {t:.3f} s: {(t - base) * 1e9 / s["synaptic_events"]:8.1f} ns per synaptic event '
              f'({s["synaptic_events"]} events, {s["populations"]["n"]["rate_Hz"]:.1f} Hz)')


if __name__ == '__main__':
    main()
