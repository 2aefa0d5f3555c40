"""Brunel (2000) with power-law STDP on E -> E in Brian2 (C++ standalone): the peer of
models/brunel_stdp.toml, which ../shared/peers/brian2/ does not have. The network is
../shared/peers/brian2/brunel.py's (same connectivity rule, drive and refractory
input rule, built with its harness common.py); the E -> E synapses learn as apical's
`stdp` rule with `weight_dependence = "power_law"` (Gutig et al. 2003; NEST's
stdp_synapse with mu_plus = mu_minus = 0.4 as in hpc_benchmark):

  x (pre trace, tau_plus = 15 ms), y (post trace, tau_minus = 20 ms), both +1 per spike;
  at a post spike  w = min(w + A_plus (w_max - w_min) ((w_max - w)/(w_max - w_min))^mu_plus x, w_max)
  at a pre spike   w = max(w - A_minus (w_max - w_min) ((w - w_min)/(w_max - w_min))^mu_minus y, w_min),
                   then the new w is transmitted;
  A_plus = 0.01, A_minus = 0.0105, w in [0, 0.2] mV, initially 0.1 mV.

Delays: apical (as NEST) takes the whole 1.5 ms delay as dendritic, so pairs are timed
between t_pre and t_post + D. Brian2 processes the pre pathway at t_pre + D; delaying its
post pathway by 2 D keeps the same difference, (t_post + 2D) - (t_pre + D). The traces
are per synapse and event-driven, the form of ../shared/peers/brian2/coba.py --stdp.
Prints the harness's RESULT line (sim_loop: Brian2's own time of the run loop) with the
final E -> E weights' mean and standard deviation.

The final mean weight lies ~0.0004 mV above apical's (1 s, seed 1: 0.09659 against
0.09616 mV; rates 22.57 / 26.45 Hz against 22.35 / 26.34 Hz): Brian2 applies a post
spike's potentiation at once, apical (as NEST) at the synapse's next pre spike, so
apical's reported weights leave out the potentiation by the post spikes since each
synapse's last pre spike, A_plus (w_max - w_min) F+ r_post tau_plus = 0.01 * 0.2 mV * 0.76
* 22 Hz * 15 ms = 0.0005 mV on average.
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'shared', 'peers', 'brian2'))
from common import parse_args, init_device, finish  # noqa: E402

args = parse_args()
name = 'brunel_stdp'
init_device(args, name)
from brian2 import *  # noqa: E402,F401,F403
import numpy as np  # noqa: E402

t0 = time.time()
NE = 10000; NI = 2500; N = NE + NI
CE = 1000; CI = 250
J = 0.1*mV; g = 5.0; eta = 2.0; D = 1.5*ms
tau_m = 20*ms; theta = 20*mV; V_reset = 10*mV; t_ref = 2*ms
nu_th = theta / (J * CE * tau_m)
nu_ex = eta * nu_th
JI = -g * J
tau_plus = 15*ms; tau_minus = 20*ms
A_plus = 0.01; A_minus = 0.0105; mu_plus = 0.4; mu_minus = 0.4
w_min = 0*mV; w_max = 0.2*mV; w_range = w_max - w_min

P = NeuronGroup(N, 'dv/dt = -v/tau_m : volt (unless refractory)',
                threshold='v > theta', reset='v = V_reset', refractory=t_ref,
                method='exact')
P.v = 0*mV
rng = np.random.default_rng(args.seed)
# fixed in-degree with replacement, as brunel.py: E -> E plastic, E -> I static
post_ee = np.repeat(np.arange(NE, dtype=np.int32), CE)
pre_ee = rng.integers(0, NE, size=NE * CE, dtype=np.int32)
post_ei = np.repeat(np.arange(NE, N, dtype=np.int32), CE)
pre_ei = rng.integers(0, NE, size=NI * CE, dtype=np.int32)
pre_i = rng.integers(NE, N, size=N * CI, dtype=np.int32)
post_i = np.repeat(np.arange(N, dtype=np.int32), CI)
SEE = Synapses(P, P, model='''w : volt
                             dx/dt = -x/tau_plus : 1 (event-driven)
                             dy/dt = -y/tau_minus : 1 (event-driven)''',
               on_pre='''w = clip(w - A_minus*w_range*((w - w_min)/w_range)**mu_minus*y, w_min, w_max)
                         v_post += w*int(not_refractory_post)
                         x += 1''',
               on_post='''w = clip(w + A_plus*w_range*((w_max - w)/w_range)**mu_plus*x, w_min, w_max)
                          y += 1''',
               delay={'pre': D, 'post': 2*D})
SEE.connect(i=pre_ee, j=post_ee)
SEE.w = 0.1*mV
SEI = Synapses(P, P, on_pre='v_post += J*int(not_refractory_post)', delay=D)
SEI.connect(i=pre_ei, j=post_ei)
SI = Synapses(P, P, on_pre='v_post += JI*int(not_refractory_post)', delay=D)
SI.connect(i=pre_i, j=post_i)
del pre_ee, post_ee, pre_ei, post_ei, pre_i, post_i
ext = PoissonInput(P, 'v', N=CE, rate=nu_ex, weight='J*int(not_refractory)')
mon = SpikeMonitor(P, record=False)
net = Network(collect())
t1 = time.time()


class _Sub:
    def __init__(self, m, a, b): self.m, self.a, self.b = m, a, b

    @property
    def count(self): return self.m.count[:][self.a:self.b]


finish(args, name, t0, t1,
       pops=[('all', mon, N), ('E', _Sub(mon, 0, NE), NE), ('I', _Sub(mon, NE, N), NI)],
       syns=[('EE_plastic', SEE, 'all', 0, N), ('EI', SEI, 'all', 0, N), ('from_I', SI, 'all', 0, N)],
       net=net, ns=dict(globals()),
       extra=lambda: {'w_EE_mean_mV': float(np.mean(SEE.w[:] / mV)), 'w_EE_std_mV': float(np.std(SEE.w[:] / mV))})
