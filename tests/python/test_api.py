"""The Python module (app/python/apical_python.cpp), run by ctest.

A network built through the API and the model file stating it give
bit-identical spikes and weights (compared with `apical run`'s summary), state
arrays are views of the simulation's own memory, recordings come back as NumPy
arrays, and bad input raises with the key named.
Environment: PYTHONPATH holds the built module; APICAL_EXE, APICAL_SOURCE_DIR.
"""
import json
import math
import os
import subprocess
import tempfile
import unittest

import numpy as np

import apical

EXE = os.environ['APICAL_EXE']
MODELS = os.path.join(os.environ['APICAL_SOURCE_DIR'], 'models')


def run_model_file(name, duration, threads=1):
    """The summary.json of `apical run models/NAME --duration ...`."""
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([EXE, 'run', os.path.join(MODELS, name), '--duration', str(duration), '--threads', str(threads),
                        '--progress', 'never', '--out', out], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(os.path.join(out, 'summary.json')) as f:
            return json.load(f)


def cuba(threads):
    """models/cuba.toml, through the API (Brette et al. 2007 CUBA)."""
    net = apical.Network(resolution=0.1, seed=1, threads=threads, name='cuba')
    params = dict(tau_m=20.0, C_m=250.0, E_L=-49.0, V_th=-50.0, V_reset=-60.0, t_ref=5.0, tau_syn_ex=5.0, tau_syn_in=10.0)
    E = net.Population(3200, 'lif_exp', params, label='E', initial={'V_m': apical.Uniform(-60.0, -50.0)})
    I = net.Population(800, 'lif_exp', params, label='I', initial={'V_m': apical.Uniform(-60.0, -50.0)})
    conn = apical.FixedProbabilityConnector(0.02)
    for pre, w in ((E, 20.25), (I, -112.5)):
        for post in (E, I):
            net.Projection(pre, post, conn, weight=w, delay=0.1)
    E.record('spikes')
    I.record('spikes')
    return net


def coba_stdp():
    """models/coba_stdp.toml, through the API: COBA with additive STDP on E -> E."""
    net = apical.Network(resolution=0.1, seed=1, name='coba_stdp')
    params = dict(C_m=200.0, g_L=10.0, E_L=-60.0, V_th=-50.0, V_reset=-60.0, t_ref=5.0, E_ex=0.0, E_in=-80.0,
                  tau_syn_ex=5.0, tau_syn_in=10.0)
    initial = {'V_m': apical.Normal(-65.0, 5.0), 'g_ex': apical.Normal(40.0, 15.0), 'g_in': apical.Normal(200.0, 120.0)}
    E = net.Population(3200, 'lif_cond_exp', params, label='E', initial=initial)
    I = net.Population(800, 'lif_cond_exp', params, label='I', initial=initial)
    conn = apical.FixedProbabilityConnector(p_connect=0.02)
    net.Projection(E, E, conn, weight=6.0, delay=0.1, receptor='excitatory', label='EE', rule='stdp',
                   rule_params=dict(tau_plus=20.0, tau_minus=20.0, A_plus=0.01, A_minus=0.0105, w_min=0.0, w_max=12.0),
                   rule_options=dict(weight_dependence='additive', potentiation='at_post'))
    net.Projection(E, I, conn, weight=6.0, delay=0.1, receptor='excitatory')
    net.Projection(I, E, conn, weight=67.0, delay=0.1, receptor='inhibitory')
    net.Projection(I, I, conn, weight=67.0, delay=0.1, receptor='inhibitory')
    E.record('spikes')
    I.record('spikes')
    return net


class SameNetworkAsModelFiles(unittest.TestCase):
    def test_cuba_bit_for_bit(self):
        ref = run_model_file('cuba.toml', 300)
        net = cuba(threads=2)
        net.run(300.0)
        self.assertGreater(ref['spikes'], 1000)
        self.assertEqual(net.spike_hash(), ref['spike_hash'])
        self.assertEqual(net['E'].spike_count() + net['I'].spike_count(), ref['spikes'])
        loaded = apical.load(os.path.join(MODELS, 'cuba.toml'))
        loaded.run(300.0)
        self.assertEqual(loaded.spike_hash(), ref['spike_hash'])

    def test_plastic_coba_bit_for_bit(self):
        ref = run_model_file('coba_stdp.toml', 200, threads=2)
        net = coba_stdp()
        net.run(200.0)
        self.assertEqual(net.spike_hash(), ref['spike_hash'])
        self.assertEqual(net.weight_hash(), ref['weight_hash'])
        w = net.weights('EE')
        self.assertEqual(len(w['weight']), len(w['source']))
        self.assertTrue(np.all((w['weight'] >= 0.0) & (w['weight'] <= 12.0)))
        self.assertGreater(np.std(w['weight']), 0.0)   # STDP moved them


class Arrays(unittest.TestCase):
    def test_state_is_a_view_of_the_simulation(self):
        net = cuba(threads=1)
        v = net['E'].get('V_m')
        self.assertEqual(v.shape, (3200,))
        self.assertTrue(np.shares_memory(v, net['E'].get('V_m')))   # no copy
        self.assertTrue(np.all((v >= -60.0) & (v <= -50.0)))
        v[:] = -70.0                                                # writes the simulation's state
        self.assertTrue(np.all(net['E'].get('V_m') == -70.0))

    def test_spikes_and_recorded_state(self):
        net = apical.Network(resolution=0.1)
        p = net.Population(3, 'lif_exp', {'I_e': 400.0, 'tau_m': 10.0, 'C_m': 250.0}, label='p')
        p.record('spikes')
        p.record(['V_m', 'I_syn_ex'], interval=0.5, neurons=[0, 2])
        net.run(100.0)
        t, ids = p.spikes()
        self.assertEqual(len(t), len(ids))
        self.assertGreater(len(t), 3)
        self.assertTrue(np.all(np.diff(t) >= 0))
        times, v, nodes = p.state('V_m')
        self.assertEqual(v.shape, (200, 2))
        self.assertEqual(list(nodes), [0, 2])
        self.assertAlmostEqual(times[0], 0.5)
        # before the first spike V follows E_L + I_e R (1 - e^{-t/tau_m}), E_L = -70 mV, R = 10/250 mV/pA
        first = t[0]
        for k in range(5):
            expected = -70.0 + 400.0 * 10.0 / 250.0 * (1.0 - math.exp(-times[k] / 10.0))
            if times[k] < first:
                self.assertAlmostEqual(v[k, 0], expected, places=9)


class Errors(unittest.TestCase):
    def test_bad_parameters_name_the_key(self):
        net = apical.Network()
        net.Population(10, 'lif_exp', {'tau_m': -5.0}, label='E')
        with self.assertRaises(ValueError) as e:
            net.run(10.0)
        self.assertIn('population[0].params.tau_m', str(e.exception))

    def test_bad_probability_and_delay(self):
        net = apical.Network()
        a = net.Population(10, 'lif_exp', label='a')
        net.Projection(a, a, apical.FixedProbabilityConnector(1.5), weight=1.0)
        with self.assertRaises(ValueError) as e:
            net.run(1.0)
        self.assertIn('projection[0].rule', str(e.exception))
        net = apical.Network(resolution=0.1)
        a = net.Population(10, 'lif_exp', label='a')
        net.Projection(a, a, apical.AllToAllConnector(), weight=1.0, delay=0.05)
        with self.assertRaises(ValueError):
            net.run(1.0)

    def test_no_changes_after_build(self):
        net = cuba(threads=1)
        net.run(1.0)
        with self.assertRaises(RuntimeError):
            net.Population(1, 'lif_exp')


if __name__ == '__main__':
    unittest.main()
