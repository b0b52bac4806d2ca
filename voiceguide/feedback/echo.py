"""Taking the player's own voice out of the microphone signal (acoustic echo cancellation).

The player knows exactly what it played and when (the output stream's DAC times
and the input stream's ADC times share PortAudio's clock: measured within 2 ms on
PulseAudio), so the echo is its own output through an unknown short filter: the
room, or in a loopback the resampler. A partitioned-block frequency-domain NLMS
filter learns that path and subtracts it; what is left is the person's voice.
Pure numpy, no I/O: tested on synthetic signals.
"""

from __future__ import annotations

import numpy as np

BLOCK = 240  # samples per block at 16 kHz (15 ms): two blocks per 30 ms listening frame
PARTITIONS = 6  # filter length BLOCK * PARTITIONS = 90 ms of echo path, delay errors included
STEP = 0.3  # of 0.2, 0.3, 0.5, 0.7 on speech through a room-like path: fast, never overshoots at the start
CONVERGED_DB = 12.0
DOUBLE_TALK = 0.1  # once converged, a residual above -10 dB of the echo is someone talking: do not learn
FLOOR = 1e-4  # reference power (-40 dB) below which steps stop growing: quiet onsets made it diverge
FIRST_LOCK = 0.7  # normalised correlation that places an echo not found before
REFERENCE_LEAD = 0.020  # the echo is kept this far into the filter, so that the path stays causal


class EchoCanceller:
    """Partitioned-block frequency-domain adaptive filter (overlap-save, constrained)."""

    def __init__(self, block: int = BLOCK, partitions: int = PARTITIONS, step: float = STEP) -> None:
        self.block = block
        self.partitions = partitions
        self.step = step
        bins = block + 1
        self.ref_spectra = np.zeros((partitions, bins), dtype=np.complex128)
        self.weights = np.zeros((partitions, bins), dtype=np.complex128)
        self.power = np.full(bins, 1e-6)
        self.fresh = True
        self.previous = np.zeros(block)
        self.erle = 0.0  # smoothed echo return loss enhancement (dB) while the reference plays
        self.converged = False  # has cancelled well at least once since the echo last moved

    def process(self, mic: np.ndarray, ref: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One block of microphone and reference in -> (residual, echo estimate)."""
        b = self.block
        mic = np.asarray(mic, dtype=np.float64)
        ref = np.asarray(ref, dtype=np.float64)
        spectrum = np.fft.rfft(np.concatenate([self.previous, ref]))
        self.previous = ref
        self.ref_spectra = np.roll(self.ref_spectra, 1, axis=0)
        self.ref_spectra[0] = spectrum
        echo = np.fft.irfft((self.weights * self.ref_spectra).sum(axis=0), n=2 * b)[b:]
        residual = mic - echo
        ref_energy = float(np.dot(ref, ref))
        if ref_energy > b * 1e-7:
            gain = 10 * np.log10((np.dot(mic, mic) + 1e-12) / (np.dot(residual, residual) + 1e-12))
            self.erle = 0.95 * self.erle + 0.05 * float(gain)
            self.converged = self.converged or self.erle > CONVERGED_DB
        if ref_energy > b * 1e-7 and self._may_adapt(residual, echo):
            newest = (np.abs(self.ref_spectra) ** 2).sum(axis=0)  # all the filter sees: stable
            if self.fresh:  # the first block sets the level: a tiny start would make a huge first step
                self.power, self.fresh = newest, False
            self.power = 0.8 * self.power + 0.2 * newest
            err = np.fft.rfft(np.concatenate([np.zeros(b), residual]))
            gradient = np.conj(self.ref_spectra) * err / (self.power + FLOOR * 2 * b)
            # constrain each partition to a causal filter of `block` taps
            taps = np.fft.irfft(gradient, n=2 * b, axis=1)
            taps[:, b:] = 0.0
            self.weights += self.step * np.fft.rfft(taps, axis=1)
        return residual, echo

    def delay_by(self, samples: int) -> None:
        """Move the learnt echo path later (or earlier, negative) when the reference is re-timed."""
        b = self.block
        if abs(samples) > 16:
            self.converged = False
        taps = np.fft.irfft(self.weights, n=2 * b, axis=1)[:, :b].reshape(-1)
        taps = np.roll(taps, samples)
        if samples > 0:
            taps[:samples] = 0.0
        elif samples < 0:
            taps[samples:] = 0.0
        parts = np.zeros((self.partitions, 2 * b))
        parts[:, :b] = taps.reshape(self.partitions, b)
        self.weights = np.fft.rfft(parts, axis=1)

    def _may_adapt(self, residual: np.ndarray, echo: np.ndarray) -> bool:
        """Freeze the filter while someone talks over the player (double talk): it would
        learn their voice as echo. Until the filter cancels well, it always learns."""
        if not self.converged:
            return True
        return float(np.dot(residual, residual)) < DOUBLE_TALK * float(np.dot(echo, echo)) + 1e-9


class DelayTracker:
    """Where the echo really sits relative to the reference, by cross-correlation.

    DAC and ADC times agree only to some milliseconds, and the two streams' origins
    drift (measured: -9 ms, then 4 samples a second on PulseAudio). Every half second of
    playback the lag is measured again, and the reference is fetched that much earlier
    or later, so the echo stays inside the adaptive filter.
    """

    def __init__(
        self,
        rate: int = 16000,
        window: float = 0.6,
        every: float = 0.25,
        span: float = 0.15,
        first_span: float = 3.0,  # an idle null sink started streams up to 2.1 s off their times
    ) -> None:
        self.rate = rate
        self.window = int(window * rate)
        self.every = int(every * rate)
        self.narrow = int(span * rate)
        self.wide = int(first_span * rate)
        self.span = self.wide  # wide until the echo is first found (measured up to 0.2 s off)
        self.mic = np.zeros(0)
        self.ref = np.zeros(0)
        self.since = 0
        self.lag: float | None = None  # seconds the echo comes after the reference as fetched
        self.last_score = 0.0

    def feed(self, mic: np.ndarray, ref: np.ndarray) -> float | None:
        """Returns the lag measured last (None until there has been a clear echo)."""
        keep = self.window + 2 * self.span
        self.mic = np.concatenate([self.mic, mic])[-keep:]
        self.ref = np.concatenate([self.ref, ref])[-keep:]
        self.since += len(mic)
        if self.since >= self.every and len(self.mic) == keep:
            self.since = 0
            found = self.measure()
            if found is not None:
                self.lag = found
                self.span = self.narrow
        return self.lag

    def restart(self, lag: float | None) -> None:
        """The reference was re-timed: what is buffered no longer lines up."""
        self.mic = np.zeros(0)
        self.ref = np.zeros(0)
        self.since = 0
        self.lag = lag

    def measure(self) -> float | None:
        """The lag with the best normalised correlation, if it is clearly an echo."""
        s = self.span
        mic = self.mic[s : s + self.window]
        ref = self.ref
        if level_db(ref) < -50 or level_db(mic) < -60:
            return None
        n = 1 << int(np.ceil(np.log2(len(ref) + len(mic))))
        corr = np.fft.irfft(np.fft.rfft(ref, n) * np.conj(np.fft.rfft(mic, n)), n)
        lags = np.arange(-s, s + 1)
        values = corr[(lags + s) % n]  # ref[k + s + lag] against mic[k + s]... lag > 0: echo later
        strength = np.abs(values)
        k = int(np.argmax(strength))
        energy = np.sqrt(np.dot(mic, mic) * np.dot(ref[k : k + self.window], ref[k : k + self.window]))
        self.last_score = float(strength[k] / energy) if energy > 0 else 0.0  # for the debug log
        first = self.lag is None  # a wide first search finds chance likenesses (0.57 at 1.9 s off)
        if energy <= 0 or strength[k] / energy < (FIRST_LOCK if first else 0.5):
            return None  # no clear echo (someone talking over it, or a quiet room)
        near = int(0.04 * self.rate)  # voiced speech correlates with itself one pitch period away
        others = np.concatenate([strength[: max(0, k - near)], strength[k + near + 1 :]])
        if len(others) and strength[k] < 1.3 * others.max():
            return None  # two likely places: speech repeats itself; wait for a clearer stretch
        return -float(lags[k]) / self.rate

    def search_again(self) -> None:
        """The echo was not where it was thought to be: look widely again."""
        self.restart(None)
        self.span = self.wide


ECHO_CHUNK = 4800  # 0.3 s: an echo that jumped mid-utterance sits at one lag in each piece


def echo_share(mic: np.ndarray, ref: np.ndarray, chunk: int = ECHO_CHUNK) -> float:
    """How much of the microphone's energy is the reference's echo, wherever it sits (0 to 1).

    `ref` is longer than `mic` by the same number of samples at each end: in each `chunk` of the
    microphone the echo is looked for at every lag in between and fitted (fit_piece). Why: when
    the echo path jumps (an underrun, a re-timed stream) the adaptive filter cancels little until
    it has found it again, and meanwhile the player's own words must not be taken for an answer.
    """
    mic = np.asarray(mic, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    n, search = len(mic), (len(ref) - len(mic)) // 2
    energy = float(np.dot(mic, mic))
    if energy <= 1e-12 or search <= 0:
        return 0.0
    starts = list(range(0, max(n - chunk, 0) + 1, chunk))
    left = 0.0
    for k, i in enumerate(starts):
        end = n if k == len(starts) - 1 else i + chunk  # the last piece takes the remainder
        rest = fit_piece(mic[i:end], ref[i : end + 2 * search])
        left += float(np.dot(rest, rest))
    return float(np.clip(1.0 - left / energy, 0.0, 1.0))


def fit_piece(mic: np.ndarray, ref: np.ndarray, taps: int = 96, before: int = 16) -> np.ndarray:
    """What is left of `mic` after a least-squares filter on `ref`: `taps` from `before` the best
    lag (a resampler's fractional delay, a room's first reflections), then as many around the
    lag that best explains what is left, so that a piece in which the echo jumped is fitted too."""
    n, search = len(mic), (len(ref) - len(mic)) // 2
    if n <= 4 * taps or search < taps or float(np.dot(mic, mic)) <= 1e-12 or not np.any(ref):
        return mic
    lagged = np.lib.stride_tricks.sliding_window_view(ref, n)  # row k: ref[k : k + n], lag k - search
    window = np.concatenate([[0.0], np.cumsum(ref * ref)])
    local = window[n : n + 2 * search + 1] - window[: 2 * search + 1]  # energy of each row
    size = 1 << int(np.ceil(np.log2(len(ref) + n)))
    spectrum = np.fft.rfft(ref, size)
    columns: list[int] = []
    left = mic
    for _ in range(2):
        corr = np.fft.irfft(spectrum * np.conj(np.fft.rfft(left, size)), size)[: 2 * search + 1]
        score = np.abs(corr) / np.sqrt(local + 1e-12)
        score[columns] = -1.0
        best = int(np.argmax(score))
        first = min(max(best - before, 0), 2 * search + 1 - taps)
        columns.extend(k for k in range(first, first + taps) if k not in columns)
        rows = lagged[columns]
        weights = np.linalg.lstsq(rows @ rows.T, rows @ mic, rcond=None)[0]
        left = mic - weights @ rows
    return left


def lowpass(samples: np.ndarray, rate: int, cutoff: float) -> np.ndarray:
    """Windowed-sinc low-pass, so the reference has what the 16 kHz microphone can hear."""
    taps = 63
    if len(samples) < taps:
        return np.asarray(samples, dtype=np.float64)
    n = np.arange(taps) - (taps - 1) / 2
    kernel = np.sinc(2 * cutoff / rate * n) * np.hamming(taps)
    kernel /= kernel.sum()
    return np.convolve(samples, kernel, mode="same")


def level_db(x: np.ndarray) -> float:
    x = np.asarray(x, dtype=np.float64)
    if len(x) == 0:
        return -120.0
    return 10.0 * float(np.log10(np.mean(x * x) + 1e-12))
