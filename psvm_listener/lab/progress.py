"""psvm-lab's live progress line and its closing summary table."""

import sys
import threading
import time

from psvm_listener.lab import stack as stack_
from psvm_listener.manage import output


class Progress:
    """One status line, redrawn in place on a terminal, logged per phase otherwise.

    It shows the phase, the events sent, the edits the switches took
    and each switch's LIF usage, read from the lab switches themselves.
    """

    def __init__(self, stream=None, interval=0.25):
        self.stream = stream or sys.stdout
        self.live = self.stream.isatty()
        self.interval = interval
        self.switches = {}
        self.events_sent = 0
        self._phase = 'starting'
        self._began = self._started = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._redraw, name='lab-progress', daemon=True)

    def start(self, switches):
        self.switches = switches
        if self.live:
            self._thread.start()

    def phase(self, name):
        if self.live:
            self._draw()
            self.stream.write('\n')
        self._phase = name
        self._started = time.monotonic()
        self.say(f'== {self._started - self._began:6.1f} s  {name}')

    def say(self, line):
        self.stream.write(('\r\033[K' if self.live else '') + line + '\n')
        self.stream.flush()

    def status(self):
        edits = sum(stack_.edits(s) for s in self.switches.values())
        lif = '  '.join(f'LIF {name} {s.lif_usage():,}' for name, s in self.switches.items())
        return (f'{self._phase}: {time.monotonic() - self._started:5.1f} s  '
                f'events {self.events_sent}  edits {edits}  {lif}')

    def _draw(self):
        self.stream.write('\r\033[K' + self.status())
        self.stream.flush()

    def _redraw(self):
        while not self._stop.wait(self.interval):
            self._draw()

    def stop(self):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
            self.stream.write('\n')

    def summary(self, figures):
        output.print_table(('figure', 'value'), figures.rows(), stream=self.stream)
