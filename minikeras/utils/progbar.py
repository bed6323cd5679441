"""Keras 3's progress bar on a terminal or in a notebook, one clean line per pass in a log.

Where a line can be redrawn in place (a terminal, a Jupyter notebook) the bar
is redrawn at most every ``interval`` seconds, as Keras 3 draws it: the count
right-aligned to the width of the total and in bold, the done part of the bar
green and the rest grey, then the estimated time remaining (the time taken,
once finished), the time per step and the values::

     15/844 ━━━━━━━━━━━━━━━━━━━━ 12s 15ms/step - accuracy: 0.8120 - loss: 0.6213

Each redraw goes back over the old line (``\\b`` for every character, then
``\\r``) and pads with spaces when the new line is shorter, so no stray
characters of a longer line stay behind.

Written to a file or a pipe, nothing appears until the pass ends; then one
line without colour codes is written (verbose=1, then verbose=2)::

    844/844 ━━━━━━━━━━━━━━━━━━━━ 13s 15ms/step - accuracy: 0.9120 - loss: 0.3013
    844/844 - 13s - 15ms/step - accuracy: 0.9120 - loss: 0.3013

(Keras writes every redraw into such a log too; here a log stays one line per
epoch.) A console that cannot print ``━`` gets ``=`` instead, as in Keras.
"""
import sys
import time

from .console import can_encode, is_live

_BOLD, _GREEN, _GREY, _RESET = "\x1b[1m", "\x1b[32m", "\x1b[37m", "\x1b[0m"


class Progbar:
    """Progress of one pass of ``target`` steps (an epoch, an evaluation, a prediction).

    Values are shown as given, in the order they first appear: a caller that
    wants running means passes running means (Keras's ``stateful_metrics``;
    its ``ProgbarLogger`` does the same).

    Args:
        target: number of steps, or None when unknown (the count then reads
            ``     12/Unknown`` and no bar is drawn).
        verbose: 1 for the bar, 2 for one line when the pass ends.
        width: characters of the bar (default 20).
        interval: least number of seconds between two redraws (default 0.05).
        unit_name: what a step is called in the time per step (default "step").
        stream: where to write (default ``sys.stdout`` at construction).

    Example::

        >>> bar = Progbar(3, verbose=2, stream=sys.stdout)
        >>> for step in (1, 2, 3):
        ...     bar.update(step, {"loss": 0.5 / step}, finalize=step == 3)  # doctest: +ELLIPSIS
        3/3 - 0s - ...s/step - loss: 0.1667
    """

    def __init__(self, target, verbose=1, *, width=20, interval=0.05, unit_name="step",
                 stream=None):
        self.target = target
        self.verbose = verbose
        self.width = width
        self.interval = interval
        self.unit_name = unit_name
        self.stream = sys.stdout if stream is None else stream
        self.live = verbose == 1 and is_live(self.stream)
        self._bar_char = "━" if can_encode(self.stream, "━") else "="
        self._values = {}
        self._start = time.perf_counter()
        self._first_step_end = None
        self._last_draw = -float("inf")
        self._drawn_width = 0  # visible characters of the line now on screen

    def update(self, current, values=None, finalize=False):
        """Report that ``current`` steps are done.

        Args:
            current: steps done so far.
            values: a dict or ``(name, value)`` pairs to show.
            finalize: the pass is over: draw the final line (default False;
                Keras's Progbar guesses it from ``current >= target``, which
                would end the bar twice for a caller that also finalizes).
        """
        self._values.update(values.items() if isinstance(values, dict) else values or ())
        now = time.perf_counter()
        per_step = self._step_duration(current, now)
        if self.live:
            if finalize or now - self._last_draw >= self.interval:
                self._redraw(current, per_step, now, finalize)
                self._last_draw = now
        elif finalize and self.verbose == 1:
            self._write(_plain(self._line(current, per_step, now, finalize)) + "\n")
        elif finalize and self.verbose == 2:
            self._write(f"{self._count(current)} - {now - self._start:.0f}s -"
                        f"{self._per_step(per_step)}{self._metrics()}\n")

    def _step_duration(self, current, now):
        """Seconds per step, leaving out the first (slowed by warm-up) once there are others."""
        if not current:
            return 0.0
        if current > 1 and self._first_step_end is not None:
            duration = (now - self._first_step_end) / (current - 1)
        else:
            duration = (now - self._start) / current
        if current == 1:
            self._first_step_end = now
        return duration

    def _line(self, current, per_step, now, finalize):
        """The verbose=1 line as ``(text, style)`` segments; ``style`` is an ANSI code or None."""
        if not self.target:
            segments = [(self._count(current), None)]
        else:
            done = int(self.width * current / self.target)
            segments = [(self._count(current), _BOLD), (" ", None)]
            if done > 0:
                segments.append((self._bar_char * done, _GREEN))
            segments.append((self._bar_char * (self.width - done), _GREY))
        if self.target and not finalize:
            seconds = _clock(per_step * (self.target - current))  # time remaining
        else:
            seconds = f"{now - self._start:.0f}s"                  # time taken
        segments += [(" ", None), (seconds, _BOLD),
                     (self._per_step(per_step) + self._metrics(), None)]
        return segments

    def _redraw(self, current, per_step, now, finalize):
        segments = self._line(current, per_step, now, finalize)
        width = sum(len(text) for text, _ in segments)
        line = "".join(f"{style}{text}{_RESET}" if style else text for text, style in segments)
        self._write("\b" * self._drawn_width + "\r" + line
                    + " " * (self._drawn_width - width) + ("\n" if finalize else ""))
        self._drawn_width = width

    def _count(self, current):
        if not self.target:
            return f"{current:7d}/Unknown"
        return f"{current:>{len(str(self.target))}}/{self.target}"

    def _per_step(self, seconds):
        if seconds >= 1 or seconds == 0:
            return f" {seconds:.0f}s/{self.unit_name}"
        if seconds >= 1e-3:
            return f" {seconds * 1e3:.0f}ms/{self.unit_name}"
        return f" {seconds * 1e6:.0f}us/{self.unit_name}"

    def _metrics(self):
        return "".join(f" - {name}: {format_value(value)}"
                       for name, value in self._values.items())

    def _write(self, text):
        self.stream.write(text)
        self.stream.flush()


def _plain(segments):
    """The line for a log: no colour codes, and blanks (not grey) for the part not done."""
    return "".join(" " * len(text) if style == _GREY else text for text, style in segments)


def _clock(seconds):
    """``42s``, ``3:07`` or ``1:02:07``, truncated to whole seconds as Keras shows them."""
    whole = int(seconds)
    if seconds > 3600:
        return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
    if seconds > 60:
        return f"{whole // 60}:{whole % 60:02d}"
    return f"{whole}s"


def format_value(value):
    """Four decimals; scientific notation for values within 1e-3 of zero."""
    value = float(value)
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"
