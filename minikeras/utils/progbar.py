"""A Keras-style progress bar that stays one clean line per epoch in logs.

On a terminal the bar is redrawn in place (at most every 50 ms)::

    13/13 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - accuracy: 0.9521 - loss: 0.1473

When output is not a terminal (a CI log, a pipe) nothing is drawn until the
epoch ends, and then exactly one line is written.
"""
import sys
import time

_BAR_WIDTH = 20


class Progbar:
    """Progress of one epoch of ``target`` steps.

    Args:
        target: number of steps.
        verbose: 1 for a bar, 2 for a single line at the end.
        stream: where to write (default ``sys.stdout``).
    """

    def __init__(self, target, verbose=1, stream=None):
        self.target = target
        self.verbose = verbose
        self.stream = stream or sys.stdout
        self.interactive = verbose == 1 and _is_terminal(self.stream)
        self.start = time.perf_counter()
        self._last_draw = 0.0

    def update(self, step, values=None, finalize=False):
        """Report that ``step`` steps are done, with the running ``values`` (a dict)."""
        now = time.perf_counter()
        if not finalize and (not self.interactive or now - self._last_draw < 0.05):
            return
        self._last_draw = now
        line = self._format(step, values or {}, now - self.start)
        if self.interactive:
            self.stream.write("\r" + line + ("\n" if finalize else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def _format(self, step, values, elapsed):
        per_step = elapsed / max(step, 1)
        unit = f"{per_step * 1e3:.0f}ms/step" if per_step >= 1e-3 else f"{per_step * 1e6:.0f}us/step"
        metrics = "".join(f" - {k}: {_fmt(v)}" for k, v in values.items())
        if self.verbose == 2:
            return f"{step}/{self.target} - {elapsed:.0f}s - {unit}{metrics}"
        filled = int(_BAR_WIDTH * step / max(self.target, 1))
        bar = "━" * filled + " " * (_BAR_WIDTH - filled)
        return f"{step}/{self.target} {bar} {elapsed:.0f}s {unit}{metrics}"


def _fmt(value):
    return f"{value:.4f}" if abs(value) >= 1e-3 or value == 0 else f"{value:.4e}"


def _is_terminal(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
