import gc

from sim import interrupt

interrupt.install()                   # first: Ctrl-C during the imports below is one line too
try:
    from sim.cli import entry
except KeyboardInterrupt:
    interrupt.stop()

entry()
gc.freeze()     # the process ends here: exit without the collector walking every object (~0.3 s)
