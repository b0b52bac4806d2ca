"""A fake microphone for tests: a PulseAudio pipe-source fed in real time from Python.

The pipe carries 16 kHz mono s16le. A writer thread keeps it flowing (silence, or
a little noise) at the real rate, and `say()` slips a recording in at the next
moment. The PortAudio default input then hears it like a real microphone.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

import numpy as np

RATE = 16000
CHUNK = 320  # 20 ms


def pactl(*args: str) -> str:
    return subprocess.run(["pactl", *args], check=True, capture_output=True, text=True).stdout.strip()


class PipeMicrophone:
    def __init__(self, folder: Path, name: str = "vgmic", noise_db: float = -70.0) -> None:
        self.fifo = folder / f"{name}.fifo"
        self.name = name
        self.noise = 10 ** (noise_db / 20)
        self.pending: list[np.ndarray] = []
        self.said: list[tuple[float, float]] = []  # (monotonic start, seconds) of each recording fed
        self.lock = threading.Lock()
        self.running = True
        self.previous_source = pactl("get-default-source")
        self.module = pactl(
            "load-module",
            "module-pipe-source",
            f"source_name={name}",
            f"file={self.fifo}",
            "format=s16le",
            f"rate={RATE}",
            "channels=1",
        )
        pactl("set-default-source", name)
        self.fd = os.open(self.fifo, os.O_WRONLY)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def say(self, samples: np.ndarray) -> float:
        """Queue a recording (float, 16 kHz); returns the monotonic time it will start."""
        with self.lock:
            self.pending.append(np.asarray(samples, dtype=np.float32))
        while True:
            with self.lock:
                if self.said and self.pending == []:
                    return self.said[-1][0]
            time.sleep(0.005)

    def _run(self) -> None:
        rng = np.random.default_rng(0)
        current = np.zeros(0, dtype=np.float32)
        t = time.monotonic()
        while self.running:
            if len(current) == 0:
                with self.lock:
                    if self.pending:
                        current = self.pending.pop(0)
                        self.said.append((time.monotonic(), len(current) / RATE))
            take, current = current[:CHUNK], current[CHUNK:]
            chunk = np.zeros(CHUNK, dtype=np.float32)
            chunk[: len(take)] = take
            chunk += (rng.standard_normal(CHUNK) * self.noise).astype(np.float32)
            data = (np.clip(chunk, -1, 1) * 32767).astype("<i2").tobytes()
            try:
                os.write(self.fd, data)
            except OSError:
                return
            t += CHUNK / RATE
            time.sleep(max(0.0, t - time.monotonic()))

    def close(self) -> None:
        self.running = False
        self.thread.join(timeout=2)
        try:
            pactl("set-default-source", self.previous_source)
        finally:
            subprocess.run(["pactl", "unload-module", self.module], capture_output=True)
            os.close(self.fd)
