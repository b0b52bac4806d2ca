"""Taking the player's own voice out of the microphone signal (acoustic echo cancellation).

The player knows exactly what it played and when (the output stream's DAC times
and the input stream's ADC times share PortAudio's clock: measured within 2 ms on
PulseAudio), so the echo is its own output through an unknown short filter: the
room, or in a loopback the resampler. A partitioned-block frequency-domain NLMS
filter learns that path and subtracts it; what is left is the person's voice.
Pure numpy, no I/O: tested on synthetic signals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BLOCK = 240  # samples per block at 16 kHz (15 ms): two blocks per 30 ms listening frame
PARTITIONS = 6  # filter length BLOCK * PARTITIONS = 90 ms of echo path, delay errors included
STEP = 0.3  # of 0.2, 0.3, 0.5, 0.7 on speech through a room-like path: fast, never overshoots at the start
CONVERGED_DB = 12.0
DOUBLE_TALK = 0.1  # once converged, a residual above -10 dB of the echo is someone talking: do not learn
FLOOR = 1e-4  # reference power (-40 dB) below which steps stop growing: quiet onsets made it diverge
BACKGROUND_BETTER = 0.5  # the always-learning filter leaves half the residual energy (3 dB less) ...
BACKGROUND_BLOCKS = 10  # ... for this many blocks in a row (0.15 s): it replaces the one that cancels
BACKGROUND_STEP = 0.5  # it learns faster (scripts/bench_stop_start.py: of 0.3/0.5 and 10/20 blocks, the best)
FIRST_LOCK = 0.7  # normalised correlation that places an echo not found before
RECENT_MARGIN = 800  # the first search also looks at a window ending this long ago (50 ms)
REFERENCE_LEAD = 0.020  # the echo is kept this far into the filter, so that the path stays causal
# Where a kept path's echo sat further than this from the stream times, the next session does not
# fetch the reference there (its taps are still used once the echo is found): fetched that far off,
# the reference can be all future (silence) and the echo is never found. Measured 2026-12-02: a null
# sink's monitor re-timed 1 s mid-session; the next sessions, fetching 1 s ahead, heard nothing of
# the player and 1 of 6 stops. (A sound card's streams agree within milliseconds; a null sink's
# were 0.02 to 2.1 s off, differently each session.)
SAVED_SHIFT_MAX = 0.25
# A path fitted by least squares on the last second (fit_path) seeds the filters while they have not
# yet learnt the echo: from 10 ms to 50 ms into the filter (the echo sits at REFERENCE_LEAD, 20 ms in).
SEED_FIRST = 160
SEED_TAPS = 640
SEED_LOADING = 1e-3  # of the reference's energy, added to the diagonal: a quiet or narrow reference


@dataclass(frozen=True)
class EchoPath:
    """The echo path one session learnt, for the next to start from (see EchoCanceller.start_from).

    Why: a session's first seconds are when its echo is still unknown, and a stop said over the
    player then is hard to hear (scripts/bench_stop_start.py). The room and the sound card change
    little between sessions; where the echo sits (`shift`) may, and is checked before it is used."""

    taps: np.ndarray  # the cancelling filter, BLOCK * PARTITIONS taps at `rate`
    shift: float  # seconds the reference was fetched late so that the echo sat REFERENCE_LEAD in
    rate: int
    erle_db: float  # how well it cancelled when it was saved

    def fits(self, rate: int) -> bool:
        """Usable by a canceller of this rate and size (taps all finite, a plausible shift)."""
        return (
            self.rate == rate
            and self.taps.shape == (BLOCK * PARTITIONS,)
            and bool(np.all(np.isfinite(self.taps)))
            and float(np.max(np.abs(self.taps), initial=0.0)) < 10.0
            and abs(self.shift) < 10.0
        )

    def shift_usable(self) -> bool:
        """Its echo sat near the stream times: the next session may fetch the reference as it did."""
        return abs(self.shift + REFERENCE_LEAD) <= SAVED_SHIFT_MAX


class EchoCanceller:
    """Partitioned-block frequency-domain adaptive filter (overlap-save, constrained), two-path.

    The filter that cancels (foreground) stops learning while someone talks over the player
    (double talk), or it would learn their voice as echo. A second filter (background) always
    learns, and when it has cancelled clearly better for a while it replaces the foreground. Why:
    measured 2026-12-02, a session begins with its start cue; the filter cancelled the tone well,
    counted as converged, and then took every sentence that followed for double talk (the tone's
    filter cancels no speech) and never learnt again: -2 to 0 dB for the whole session."""

    def __init__(self, block: int = BLOCK, partitions: int = PARTITIONS, step: float = STEP) -> None:
        self.block = block
        self.partitions = partitions
        self.step = step
        bins = block + 1
        self.ref_spectra = np.zeros((partitions, bins), dtype=np.complex128)
        self.weights = np.zeros((partitions, bins), dtype=np.complex128)
        self.background = np.zeros((partitions, bins), dtype=np.complex128)
        self.power = np.full(bins, 1e-6)
        self.fresh = True
        self.previous = np.zeros(block)
        self.erle = 0.0  # smoothed echo return loss enhancement (dB) while the reference plays
        self.converged = False  # has cancelled well at least once since the echo last moved
        self.left = np.zeros(2)  # smoothed residual energy: foreground, background
        self.better = 0  # blocks in a row in which the background cancelled clearly better
        self.settling = 0  # blocks still to pass, after a re-timing, before either filter learns
        # the last path known to cancel the echo, with the echo at the lead (REFERENCE_LEAD in);
        # from an earlier session it is first checked (prior_fits), scored on its own
        self.known: np.ndarray | None = None
        self.known_erle = 0.0  # how well it cancelled when it was kept
        self.checking = False
        self.prior_erle = 0.0

    def taps(self, weights: np.ndarray | None = None) -> np.ndarray:
        """A filter in the time domain (what EchoPath keeps): the cancelling one by default."""
        weights = self.weights if weights is None else weights
        return np.fft.irfft(weights, n=2 * self.block, axis=1)[:, : self.block].reshape(-1)

    def start_from(self, taps: np.ndarray) -> None:
        """Begin with a path learnt in an earlier session: both filters start from it, and it is
        kept unchanged beside them and scored (prior_fits) until it is known whether the echo sits
        where it sat then. It is not counted as converged until it cancels."""
        self.known = self._spectra(np.asarray(taps, dtype=np.float64))
        self.checking, self.prior_erle = True, 0.0
        self.weights, self.background = self.known.copy(), self.known.copy()

    def seed(self, taps: np.ndarray) -> None:
        """Both filters start again from a path fitted on the last stretch (fit_path): it cancels
        at once what the adaptive filters would take seconds of speech to learn."""
        self.weights = self._spectra(np.asarray(taps, dtype=np.float64))
        self.background = self.weights.copy()
        self.left[1] = self.left[0]
        self.better = 0

    def prior_fits(self) -> bool:
        """The earlier session's path alone cancels the echo well: the echo sits where it sat then."""
        return self.checking and self.prior_erle > CONVERGED_DB

    def remember(self) -> None:
        """The cancelling filter cancels well with the echo at the lead: keep it as the known path."""
        self.known, self.known_erle = self.weights.copy(), self.erle
        self.checking = False

    def offer_known(self) -> None:
        """The echo was found elsewhere and the reference re-timed to put it back at the lead:
        the known path has it there, while the filters had meanwhile learnt it at the wrong place
        (or, when the echo itself jumped, were moved off it). It becomes the always-learning
        filter, which takes over if it cancels better (measured 2026-12-02: a 42-sample jump of
        the echo cost 3 s of cancelling below 8 dB without it)."""
        if self.known is not None:
            self.background = self.known.copy()
            self.left[1] = self.left[0]
            self.better = 0

    def _echo(self, weights: np.ndarray) -> np.ndarray:
        return np.fft.irfft((weights * self.ref_spectra).sum(axis=0), n=2 * self.block)[self.block :]

    def _learn(self, weights: np.ndarray, residual: np.ndarray, step: float) -> None:
        b = self.block
        err = np.fft.rfft(np.concatenate([np.zeros(b), residual]))
        gradient = np.conj(self.ref_spectra) * err / (self.power + FLOOR * 2 * b)
        # constrain each partition to a causal filter of `block` taps
        taps = np.fft.irfft(gradient, n=2 * b, axis=1)
        taps[:, b:] = 0.0
        weights += step * np.fft.rfft(taps, axis=1)

    def process(self, mic: np.ndarray, ref: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One block of microphone and reference in -> (residual, echo estimate)."""
        b = self.block
        mic = np.asarray(mic, dtype=np.float64)
        ref = np.asarray(ref, dtype=np.float64)
        spectrum = np.fft.rfft(np.concatenate([self.previous, ref]))
        self.previous = ref
        self.ref_spectra = np.roll(self.ref_spectra, 1, axis=0)
        self.ref_spectra[0] = spectrum
        echo = self._echo(self.weights)
        residual = mic - echo
        ref_energy = float(np.dot(ref, ref))
        if ref_energy <= b * 1e-7:
            return residual, echo
        if self.settling:  # just re-timed: the filter's reference history is not yet one signal
            self.settling -= 1  # (learning from it spoilt a path that cancelled 20 dB in 4 blocks)
            return residual, echo
        gain = 10 * np.log10((np.dot(mic, mic) + 1e-12) / (np.dot(residual, residual) + 1e-12))
        self.erle = 0.95 * self.erle + 0.05 * float(gain)
        if self.checking and self.known is not None:
            left = mic - self._echo(self.known)
            gain = 10 * np.log10((np.dot(mic, mic) + 1e-12) / (np.dot(left, left) + 1e-12))
            self.prior_erle = 0.95 * self.prior_erle + 0.05 * float(gain)
        self.converged = self.converged or self.erle > CONVERGED_DB
        newest = (np.abs(self.ref_spectra) ** 2).sum(axis=0)  # all the filter sees: stable
        if self.fresh:  # the first block sets the level: a tiny start would make a huge first step
            self.power, self.fresh = newest, False
        self.power = 0.8 * self.power + 0.2 * newest
        behind = mic - self._echo(self.background)
        self.left = 0.9 * self.left + 0.1 * np.array([np.dot(residual, residual), np.dot(behind, behind)])
        if self._may_adapt(residual, echo):
            self._learn(self.weights, residual, self.step)
        self._learn(self.background, behind, BACKGROUND_STEP)
        self.better = self.better + 1 if self.left[1] < BACKGROUND_BETTER * self.left[0] else 0
        if self.better >= BACKGROUND_BLOCKS:  # it was not cancelling the echo: not converged after all
            self.weights = self.background.copy()
            self.left[0] = self.left[1]
            self.better = 0
            self.converged, self.erle = False, 0.0
        return residual, echo

    def delay_by(self, samples: int) -> None:
        """Move the learnt echo path later (or earlier, negative) when the reference is re-timed.
        The path known to cancel (`known`) has the echo at the lead, where re-timing puts it: it
        stays as it is."""
        if abs(samples) > 16:
            self.converged = False
        self.settling = self.partitions
        self.weights = self._moved(self.weights, samples)
        self.background = self._moved(self.background, samples)

    def _moved(self, weights: np.ndarray, samples: int) -> np.ndarray:
        taps = np.roll(self.taps(weights), samples)
        if samples > 0:
            taps[:samples] = 0.0
        elif samples < 0:
            taps[samples:] = 0.0
        return self._spectra(taps)

    def _spectra(self, taps: np.ndarray) -> np.ndarray:
        """Time-domain taps (as `taps` gives them) back to the filter's partitions."""
        parts = np.zeros((self.partitions, 2 * self.block))
        parts[:, : self.block] = taps.reshape(self.partitions, self.block)
        return np.fft.rfft(parts, axis=1)

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
        self.confirmed = False  # the last measurement found the echo (speech, not a tone, played)
        self.last_score = 0.0

    def feed(self, mic: np.ndarray, ref: np.ndarray) -> float | None:
        """Returns the lag measured last (None until there has been a clear echo)."""
        keep = self.window + 2 * self.span
        self.mic = np.concatenate([self.mic, mic])[-keep:]
        self.ref = np.concatenate([self.ref, ref])[-keep:]
        self.since += len(mic)
        full = len(self.mic) == keep
        early = self.lag is None and len(self.mic) >= self.window + RECENT_MARGIN + self.rate // 2
        if self.since >= self.every and (full or early):
            self.since = 0
            found = self.measure(full)
            self.confirmed = found is not None
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
        self.confirmed = False

    def measure(self, full: bool = True) -> float | None:
        """The lag with the best normalised correlation, if it is clearly an echo. Until the echo
        is first found, the last moments are searched too, for echoes that come after the
        reference (the usual case): a window in the middle of the buffer is 3.6 s old, and while
        no echo is known nothing said over the player is heard (measured 2026-12-02: the echo was
        found 2.5-3 s into the first sentence)."""
        found = self._measure(self.span, -self.span, self.span) if full else None
        if found is None and self.lag is None:
            recent = len(self.mic) - self.window - RECENT_MARGIN
            found = self._measure(recent, -RECENT_MARGIN, recent)
        return found

    def _measure(self, start: int, earliest: int, latest: int) -> float | None:
        """The mic window from `start` against the reference, the echo `earliest` to `latest`
        samples after the reference (negative: before it)."""
        mic = self.mic[start : start + self.window]
        ref = self.ref
        if level_db(ref) < -50 or level_db(mic) < -60:
            return None
        n = 1 << int(np.ceil(np.log2(len(ref) + len(mic))))
        corr = np.fft.irfft(np.fft.rfft(ref, n) * np.conj(np.fft.rfft(mic, n)), n)
        lags = np.arange(-latest, -earliest + 1)  # ref[start + lag + k] against mic[start + k]
        values = corr[(lags + start) % n]
        strength = np.abs(values)
        k = int(np.argmax(strength))
        at = start + int(lags[k])
        energy = np.sqrt(np.dot(mic, mic) * np.dot(ref[at : at + self.window], ref[at : at + self.window]))
        # how clear the likeness is: the debug log, and Listener.still_cancelling (an echo that
        # still cancels is moved only for a clear one)
        self.last_score = float(strength[k] / energy) if energy > 0 else 0.0
        first = self.lag is None  # a wide first search finds chance likenesses (0.57 at 1.9 s off)
        if energy <= 0 or strength[k] / energy < (FIRST_LOCK if first else 0.5):
            return None  # no clear echo (someone talking over it, or a quiet room)
        near = int(0.04 * self.rate)  # voiced speech correlates with itself one pitch period away
        others = np.concatenate([strength[: max(0, k - near)], strength[k + near + 1 :]])
        if len(others) and strength[k] < 1.3 * others.max():
            return None  # two likely places: speech repeats itself; wait for a clearer stretch
        return -float(lags[k]) / self.rate

    def assume(self, lag: float) -> None:
        """The echo is known to sit at `lag` (an earlier session's path cancels it there)."""
        self.restart(lag)
        self.span = self.narrow

    def search_again(self) -> None:
        """The echo was not where it was thought to be: look widely again."""
        self.restart(None)
        self.span = self.wide


ECHO_CHUNK = 4800  # 0.3 s: an echo that jumped mid-utterance sits at one lag in each piece


def echo_share(mic: np.ndarray, ref: np.ndarray, chunk: int = ECHO_CHUNK) -> float:
    """How much of the microphone's energy is the reference's echo, wherever it sits (0 to 1).

    Why: when the echo path jumps (an underrun, a re-timed stream) the adaptive filter cancels
    little until it has found it again, and meanwhile the player's own words must not be taken
    for an answer. (`ref` as for echo_residual.)
    """
    mic = np.asarray(mic, dtype=np.float64)
    energy = float(np.dot(mic, mic))
    if energy <= 1e-12 or len(ref) <= len(mic):
        return 0.0
    rest = echo_residual(mic, ref, chunk)
    return float(np.clip(1.0 - float(np.dot(rest, rest)) / energy, 0.0, 1.0))


def echo_residual(mic: np.ndarray, ref: np.ndarray, chunk: int = ECHO_CHUNK) -> np.ndarray:
    """What is left of the microphone once the reference's echo is fitted out, wherever it sits.

    `ref` is longer than `mic` by the same number of samples at each end: in each `chunk` of the
    microphone the echo is looked for at every lag in between and fitted (fit_piece)."""
    mic = np.asarray(mic, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    n, search = len(mic), (len(ref) - len(mic)) // 2
    if search <= 0:
        return mic
    starts = list(range(0, max(n - chunk, 0) + 1, chunk))
    pieces = []
    for k, i in enumerate(starts):
        end = n if k == len(starts) - 1 else i + chunk  # the last piece takes the remainder
        pieces.append(fit_piece(mic[i:end], ref[i : end + 2 * search]))
    return np.concatenate(pieces)


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


def best_lag(piece: np.ndarray, near: np.ndarray) -> tuple[int, float]:
    """Where in `near` (longer) `piece` is most alike, by normalised correlation, and the gain that
    fits it there: (k, gain) for piece ~ gain * near[k : k + len(piece)]."""
    size = 1 << int(np.ceil(np.log2(len(near) + len(piece))))
    corr = np.fft.irfft(np.fft.rfft(near, size) * np.conj(np.fft.rfft(piece, size)), size)
    sums = np.concatenate([[0.0], np.cumsum(near * near)])
    energy = sums[len(piece) :] - sums[: len(sums) - len(piece)]
    corr = corr[: len(energy)]
    k = int(np.argmax(np.abs(corr) / np.sqrt(energy + 1e-12)))
    return k, float(corr[k] / (energy[k] + 1e-12))


def torn_residual(
    mic: np.ndarray, ref: np.ndarray, taps: np.ndarray, chunk: int = 240, passes: int = 2
) -> np.ndarray:
    """What is left of the microphone once the player's sound, through a known echo path `taps`,
    is taken out of each `chunk` at the lag and gain that best explain it (`ref` as for
    echo_residual, fetched as the canceller fetches it).

    Why: an underrun tears the echo (measured 2026-12-07: 60 ms of nothing, then the player 85-95
    ms late, moving back in 30 ms steps); the room has not changed, only where its sound sits.
    A lag and a gain per piece, found twice (the piece may hold a step), follow that; a free fit
    of as many taps as the room needs, 30 ms at a time, also took away a person's "stop" said over
    the player's own (3 of 20 in scripts/bench_torn_echo.py)."""
    mic = np.asarray(mic, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    n, search = len(mic), (len(ref) - len(mic)) // 2
    if search <= 0 or not np.any(taps):
        return mic
    echo = np.convolve(ref, np.asarray(taps, dtype=np.float64))[: len(ref)]
    left = mic.copy()
    for i in range(0, n, chunk):
        piece = mic[i : i + chunk]
        near = echo[i : i + len(piece) + 2 * search]  # row k: near[k : k + len(piece)], lag k - search
        if float(np.dot(piece, piece)) <= 1e-12 or not np.any(near):
            continue
        for _ in range(passes):
            k, gain = best_lag(piece, near)
            piece = piece - gain * near[k : k + len(piece)]
        left[i : i + len(piece)] = piece
    return left


def torn_path(
    mic: np.ndarray, ref: np.ndarray, taps: np.ndarray, chunk: int = 240, count: int = 160, last: int = 16000
) -> np.ndarray:
    """The echo path fitted again on a torn echo (`mic`, `ref` and `taps` as for torn_residual):
    each piece's lag found through `taps`, then `count` taps around the strongest of them, by least
    squares over the last `last` samples' pieces, each at its own lag with the reference's own
    history there. Returned as `taps` are.

    Why: the room is one, only where its sound sits moved; a path learnt to 12-26 dB left enough
    of the player's torn "stop" to be heard as one (scripts/bench_torn_echo.py: 3 of 5 and 2 of 5
    sessions at its second and third stops; with the path fitted again, 1 and 2)."""
    mic = np.asarray(mic, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    taps = np.asarray(taps, dtype=np.float64)
    n, search = len(mic), (len(ref) - len(mic)) // 2
    if search <= 0 or not np.any(taps) or len(taps) < count:
        return taps
    echo = np.convolve(ref, taps)[: len(ref)]
    first = min(max(int(np.argmax(np.abs(taps))) - count // 4, 0), len(taps) - count)
    padded = np.concatenate([np.zeros(first + count), ref])  # (before the window: silence)
    rows, wanted = [], []
    for i in range(max(0, n - last) // chunk * chunk, n, chunk):
        piece = mic[i : i + chunk]
        near = echo[i : i + len(piece) + 2 * search]
        if float(np.dot(piece, piece)) <= 1e-12 or not np.any(near):
            continue
        k, _ = best_lag(piece, near)
        # microphone sample i + j heard ref[i + k + j - t] through tap t (first <= t < first + count),
        # padded[i + k + j + first + count - t]: the row's window from i + k + j + 1, newest first
        at = i + k + 1
        block = np.lib.stride_tricks.sliding_window_view(padded[at : at + len(piece) + count - 1], count)
        rows.append(block[:, ::-1])
        wanted.append(piece)
    if not rows:
        return taps
    x, y = np.concatenate(rows), np.concatenate(wanted)
    gram = x.T @ x
    fitted = np.linalg.solve(gram + 1e-6 * np.trace(gram) / count * np.eye(count), x.T @ y)
    path = np.zeros(len(taps))
    path[first : first + count] = fitted
    return path


def fit_path(mic: np.ndarray, ref: np.ndarray, first: int = SEED_FIRST, count: int = SEED_TAPS) -> np.ndarray:
    """The echo path that best explains `mic` from `ref` (the same stretch, lined up as the
    canceller's filter sees them), by least squares over taps `first` to `first + count`; returned
    as BLOCK * PARTITIONS taps, as EchoCanceller.taps gives them.

    Why: measured live (2026-12-03, the null sink), the adaptive filter still took out only 5-7 dB
    a second into the first sentence, and a stop said 9 dB under the player then was missed. The
    normal equations come from correlations (the autocorrelation method), so one fit costs three
    FFTs and one 640 x 640 solve."""
    mic = np.asarray(mic, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    n = len(ref)
    size = 1 << int(np.ceil(np.log2(2 * n)))
    spectrum = np.fft.rfft(ref, size)
    auto = np.fft.irfft(spectrum * np.conj(spectrum), size)[:count]  # sum ref[k] ref[k + lag]
    cross = np.fft.irfft(np.fft.rfft(mic, size) * np.conj(spectrum), size)  # sum mic[k + t] ref[k]
    taps = np.zeros(BLOCK * PARTITIONS)
    if auto[0] <= 1e-9:
        return taps
    lags = np.abs(np.arange(count)[:, None] - np.arange(count)[None, :])
    normal = auto[lags] + SEED_LOADING * auto[0] * np.eye(count)
    taps[first : first + count] = np.linalg.solve(normal, cross[first : first + count])
    return taps


def cancelled_db(mic: np.ndarray, ref: np.ndarray, taps: np.ndarray) -> float:
    """How much of `mic` a filter of `taps` on `ref` takes out, in dB, once it has its history."""
    mic = np.asarray(mic, dtype=np.float64)
    echo = np.convolve(np.asarray(ref, dtype=np.float64), taps)[: len(mic)]
    k = len(taps)
    if len(mic) <= k:
        return 0.0
    left = mic[k:] - echo[k:]
    return 10.0 * float(np.log10((np.dot(mic[k:], mic[k:]) + 1e-12) / (np.dot(left, left) + 1e-12)))


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
