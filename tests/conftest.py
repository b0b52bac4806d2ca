"""Shared fixtures: an isolated data folder, the CLI in-process, and the real console script."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

import voiceguide.cli
from voiceguide import settings

ROOT = Path(__file__).resolve().parent.parent
# espeak-ng speaks in the tests (module and session fixtures included), except where the natural
# voice is what is tested (test_piper, test_voices, test_voice_live set it themselves): rendering
# every plan of the suite with piper on a cold cache made the quick loop 15 minutes (2026-12-01).
# Set VOICEGUIDE_TTS yourself to run the whole suite with another engine.
os.environ.setdefault("VOICEGUIDE_TTS", "espeak-ng")
# One BLAS thread, as the command itself runs (settings.one_blas_thread), here for the code the
# tests run in-process too: OpenBLAS's helper threads wait for work by spinning, and three workers
# on two cores made that CPU lost (the walk-through's checks counted 11.4 s of CPU in one CI run,
# 3.6 s alone; clean-clone runs took 496 and 547 s of tests against 645 s). Set before numpy loads;
# the workers and every program they start inherit it.
settings.one_blas_thread()


def _own_pulse_server() -> str:
    """Tests run in parallel (pytest-xdist, `-n`): each worker gets a PulseAudio server of its own,
    found by every program the worker starts through PULSE_RUNTIME_PATH, so one worker's sessions
    are never heard on another's null sink. Run without workers, the tests use the shared server
    and its lock (also taken by scripts/bench_feedback.py, bench_audio.py and bench_reliability.py)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return "/tmp/vg-pulse.lock"
    runtime = Path(f"/tmp/vg-pulse-{os.getuid()}-{worker}")
    runtime.mkdir(mode=0o700, exist_ok=True)
    os.environ["PULSE_RUNTIME_PATH"] = str(runtime)
    os.environ.pop("PULSE_SERVER", None)
    # started now, as scripts/setup.sh starts the shared one before a run without workers: tests
    # that only probe the sound server (doctor) expect it running; the pulse fixture checks it
    subprocess.run(["bash", str(ROOT / "scripts" / "pulse.sh"), "start"], capture_output=True)
    return f"{runtime}.lock"  # another run's worker of the same name shares the server: take turns


PULSE_LOCK = _own_pulse_server()


# The modules that take minutes, longest first: under pytest-xdist (scripts/setup.sh test runs
# `-n 3 --dist loadfile --no-loadscope-reorder`) they start at once, each beside
# the quick ones, instead of last (measured 2026-12-03: 758 s when they came last, 645 s first).
LONG_MODULES = (
    "test_piper.py",  # renders every clip of the natural voice: CPU
    "test_voice_live.py",  # whole spoken sessions in real time
    "test_enroll_pipe.py",  # the spoken walk-through in real time
    "test_enroll.py",  # enrolment fits: CPU
    "test_device.py",
    "test_keys_pty.py",
    "test_companion.py",
)


def pytest_configure(config: pytest.Config) -> None:
    """A suite started as a background job of a script (`command &`, no job control) inherits
    Ctrl-C ignored, and so would every session a test starts: the tests that press Ctrl-C would
    fail for the harness, not the code (found 2026-12-05: CI started that way failed them every
    time). A session in a terminal never starts that way, so the tests do not either."""
    import signal

    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not getattr(config.option, "numprocesses", None):
        return  # run alone: the usual order (test_voice_live after test_piper has warmed the cache)

    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return LONG_MODULES.index(name) if name in LONG_MODULES else len(LONG_MODULES)

    items.sort(key=rank)  # stable: the order inside a module, and of the others, is kept


BACKGROUND_NICE = 10  # CFS gives a nice-0 process about ten times the CPU of a nice-10 one


@pytest.fixture(autouse=True)
def sound_tests_first_on_the_cpu(request) -> Iterator[None]:
    """Under pytest-xdist, a test that plays or listens in real time (it takes `pulse`) runs at the
    usual priority and every other test below it, with what it starts: a live session beside a
    worker rendering every clip of the natural voice might miss its answers. (The walk-through
    failures once blamed on that came from a listener change, since reverted: docs/recognition.md.)
    Lowering the nice value again needs root; elsewhere a worker stays where it is, and both sides
    then share the CPU as before."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        yield
        return
    want = 0 if "pulse" in request.fixturenames else BACKGROUND_NICE
    if os.getpriority(os.PRIO_PROCESS, 0) != want:
        with contextlib.suppress(PermissionError):
            os.setpriority(os.PRIO_PROCESS, 0, want)
    yield


@pytest.fixture(scope="session")
def shared_speech_cache(tmp_path_factory) -> Path:
    """Speech clips rendered once for the whole run: each test still gets its own data folder."""
    return tmp_path_factory.mktemp("speech-cache")


@pytest.fixture(scope="session")
def three_sessions(tmp_path_factory, shared_speech_cache) -> Path:
    """A data folder with three real sessions, 6, 3 and 0 days ago: choose pressures; play at
    them; stop for tingling at the piriformis. Played once per run and only read: a test that
    changes it works on a copy (progress_helpers.copy_home)."""
    from progress_helpers import CHOOSE, HURT, LEARNT, play_sessions, spread

    home = play_sessions(
        tmp_path_factory.mktemp("three") / "home", shared_speech_cache, [CHOOSE, LEARNT, HURT]
    )
    spread(home / "journal.sqlite3", [6, 3, 0])
    return home


@pytest.fixture(autouse=True)
def voiceguide_home(tmp_path, monkeypatch, shared_speech_cache) -> Path:
    """Every test gets its own empty VOICEGUIDE_HOME (not created yet, like a first run)."""
    home = tmp_path / "voiceguide-home"
    monkeypatch.setenv("VOICEGUIDE_HOME", str(home))
    monkeypatch.setenv("VOICEGUIDE_CACHE", str(shared_speech_cache))
    monkeypatch.delenv("VOICEGUIDE_DEBUG", raising=False)
    return home


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def _exit_code(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    return 1  # sys.exit("message") means failure


@pytest.fixture
def cli(monkeypatch):
    """Run `voiceguide ARGS` in-process with the semantics of the console script.

    Errors become exit codes in `voiceguide.cli.main`, not in the Click group, so
    this runs `main` itself inside CliRunner's isolation (stdin from `input`,
    which is not a terminal; stdout and stderr captured separately).
    """
    runner = CliRunner()

    def run(*args: str, input: str | bytes | None = None) -> CliResult:
        monkeypatch.setattr(sys, "argv", ["voiceguide", *map(str, args)])
        code = 0
        with runner.isolation(input=input) as (out, err, _mixed):
            try:
                voiceguide.cli.main()
            except SystemExit as e:
                code = _exit_code(e.code)
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
            stdout = out.getvalue().decode("utf-8", "replace")
            stderr = err.getvalue().decode("utf-8", "replace")
        return CliResult(code, stdout, stderr)

    return run


def _console_script() -> str:
    here = Path(sys.executable).parent / "voiceguide"
    if here.exists():
        return str(here)
    found = shutil.which("voiceguide")
    if found is None:  # pragma: no cover - the package is installed in the venv
        pytest.fail("the voiceguide console script is not installed")
    return found


@pytest.fixture
def run_voiceguide(voiceguide_home):
    """Run the real installed `voiceguide` script in a subprocess."""
    script = _console_script()

    def run(*args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ, VOICEGUIDE_HOME=str(voiceguide_home))  # VOICEGUIDE_CACHE comes along
        env.pop("VOICEGUIDE_DEBUG", None)
        return subprocess.run(
            [script, *map(str, args)],
            input=input,
            stdin=subprocess.DEVNULL if input is None else None,
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )

    return run


@pytest.fixture(scope="module")
def pulse() -> Iterator[str]:
    """The PulseAudio server with its null sink "vg" (started if absent; the worker's own under
    pytest-xdist), held for the whole module under a file lock: every test that plays or listens on
    it, in any worktree or process, runs alone, or the sounds of one would be heard by another.
    Never skips: no server is a failure."""
    with open(PULSE_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = subprocess.run(
            ["bash", str(ROOT / "scripts" / "pulse.sh"), "start"], capture_output=True, text=True
        )
        assert done.returncode == 0, f"could not start PulseAudio: {done.stderr}"
        yield "vg"
