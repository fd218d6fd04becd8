"""Drive Pulumi programs through the real Pulumi engine for end-to-end tests.

A program is laid out as users lay it out (a folder with Pulumi.yaml, `runtime: python` and __main__.py), so the CLI,
the Python language host and the dynamic-provider plugin all run for real. Every stack lives in a temporary folder
with its own PULUMI_HOME and a local file backend, and runs offline. When an operation fails unexpectedly the
assertion carries the engine's whole output.

Every process the engine starts for a test carries two environment variables: the test run's tag and the test's own.
The engine puts its plugins (language host, dynamic provider) in process groups of their own, so a killed CLI leaves
them running; the tags find them in /proc wherever they are. `end_processes` ends a test's processes when the test
ends or an operation overruns its time limit; the e2e conftest fails the run if any of the run's are left.

Parallel runs. `bash scripts/test.sh` runs the tests in pytest-xdist workers (SNOWDM_TEST_WORKERS, `-n 0` for one
process), several end-to-end tests at once. Each worker is a process of its own with its own RUN_ID (so its leak
guard looks only at what its own tests started, once they are all done; tests/worker_failures.py carries a leak to
the run's exit code) and its own tmp_path root. A test written the usual way is parallel-safe:
  - take the emulator from the `emulator` fixture (or `make_emulator`): a fresh one on a free port per test; never a
    fixed port, never one shared through a module- or session-scoped fixture;
  - build stacks with `make_project` (or `Project` over `stack_env`): each test gets its own folder under tmp_path,
    PULUMI_HOME, file backend and process tag; write files only under tmp_path, never into the work tree;
  - start engine processes with the test's environment (`project.env`, as Project.spawn and Project.cli do) so the
    tags find them, and change os.environ only through monkeypatch;
  - use the `engine` fixture, which fails (never skips) without the pinned engine.
Only read-only things are shared: the engine's binaries, the package in the venv, the examples (copied before use).
A test whose assertion is a bound on wall time (a Ctrl-C answered within seconds, customTimeouts) carries
`@pytest.mark.xdist_group("wall-clock")`: those run one after another on one worker, never beside each other.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pulumi import automation as auto

ROOT = Path(__file__).resolve().parents[2]
ENGINE_PIECES = ("pulumi", "pulumi-language-python", "pulumi-language-python-exec", "pulumi-resource-pulumi-python")
PASSPHRASE = "snowdm-e2e-passphrase"
# The environment variables that tag engine processes: this test run's id, and one test's id.
RUN_TAG = "SNOWDM_E2E_RUN"
TEST_TAG = "SNOWDM_E2E_TEST"
RUN_ID = uuid.uuid4().hex
# The longest one engine command may take before the harness ends it and fails the test naming it (a limit, not a
# measurement: the slowest operation in the suite takes about a minute).
COMMAND_TIMEOUT = float(os.environ.get("SNOWDM_E2E_TIMEOUT", "600"))
T = TypeVar("T")


def pinned_engine_version() -> str:
    """The Pulumi release engine/go.mod pins (the same as the SDK pin in constraints.txt)."""
    for line in (ROOT / "engine" / "go.mod").read_text().splitlines():
        words = line.split()
        if "github.com/pulumi/pulumi/pkg/v3" in words:
            return words[words.index("github.com/pulumi/pulumi/pkg/v3") + 1]
    raise RuntimeError("engine/go.mod does not require github.com/pulumi/pulumi/pkg/v3")


def find_engine() -> Path:
    """The folder of the pinned engine on PATH; raises with what to do when it is missing or the wrong version."""
    missing = [piece for piece in ENGINE_PIECES if shutil.which(piece) is None]
    if missing:
        raise RuntimeError(
            f"the Pulumi engine is not on PATH (missing: {', '.join(missing)}); end-to-end tests need the real engine: "
            "run `bash scripts/test.sh`, or `source scripts/env.sh` first"
        )
    pulumi = Path(shutil.which("pulumi")).resolve()
    version = subprocess.run(
        [str(pulumi), "version"], capture_output=True, text=True, check=False, timeout=60,
        env={**os.environ, "PULUMI_SKIP_UPDATE_CHECK": "true"},
    ).stdout.strip()
    if version != pinned_engine_version():
        raise RuntimeError(f"pulumi on PATH ({pulumi}) is {version or 'of no version'}, "
                           f"the tests pin {pinned_engine_version()}: run `source scripts/env.sh`")
    return pulumi.parent


@dataclass
class OperationResult:
    """What one engine operation showed: whether it succeeded, its whole output, and the stack outputs after it."""

    ok: bool
    output: str
    outputs: dict = field(default_factory=dict)
    changes: dict = field(default_factory=dict)


class EngineFailure(AssertionError):
    """An engine operation ended otherwise than the test expected; the message is the engine's output."""


class EngineTimeout(EngineFailure):
    """An engine command overran COMMAND_TIMEOUT; its processes were ended. The message names the command."""

    def __init__(self, command: str, workdir: Path, output: str = "") -> None:
        super().__init__(f"`{command}` in {workdir} did not finish within {COMMAND_TIMEOUT:.0f}s, so the test "
                         f"ended it and every process it started (SNOWDM_E2E_TIMEOUT sets the limit); "
                         f"its output so far:\n{output}")


def tagged_processes(tag: str, value: str) -> dict[int, str]:
    """{pid: command line} of the live processes whose environment has `tag`=`value` (zombies have none)."""
    marker = f"{tag}={value}".encode()
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except (OSError, UnicodeDecodeError):
            continue  # gone meanwhile, or not ours to read
    return found


def start_tagged(command: list[str], env: dict[str, str], tag: str) -> subprocess.Popen[bytes]:
    """Start `command` with `env` in a session of its own; return once /proc shows it carrying `tag`.

    Popen returns while the kernel may still be filling in the new program's environment, so a look straight after
    it can miss the tag."""
    process = subprocess.Popen(command, env={**os.environ, **env}, start_new_session=True)
    deadline = time.monotonic() + 10
    while process.pid not in tagged_processes(tag, env[tag]):
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"{command} never showed {tag} in its environment")
        time.sleep(0.01)
    return process


def end_processes(tag: str, value: str) -> dict[int, str]:
    """SIGKILL every process tagged `tag`=`value` until none is left; return those it ended."""
    ended: dict[int, str] = {}
    for _ in range(50):  # a language host may start a plugin between one look and the next
        alive = tagged_processes(tag, value)
        if not alive:
            break
        for pid, command in alive.items():
            try:
                os.kill(pid, signal.SIGKILL)
                ended[pid] = command
            except ProcessLookupError:
                pass
        time.sleep(0.1)
    return ended


@contextmanager
def command_deadline(env: dict[str, str]) -> Iterator[threading.Event]:
    """Within the block, an engine command of this test that overruns COMMAND_TIMEOUT is ended with everything it
    started; the event yielded tells the block it happened."""
    fired = threading.Event()

    def fire() -> None:
        fired.set()
        end_processes(TEST_TAG, env[TEST_TAG])

    timer = threading.Timer(COMMAND_TIMEOUT, fire)
    timer.daemon = True
    timer.start()
    try:
        yield fired
    finally:
        timer.cancel()


class Project:
    """One Pulumi project folder and its stack, isolated in a temporary folder."""

    def __init__(self, workdir: Path, engine: Path, env: dict[str, str], stack: str = "e2e") -> None:
        self.workdir = workdir
        self.env = env
        self.stack_name = stack
        self._engine = engine
        self._stack: auto.Stack | None = None

    @classmethod
    def from_source(cls, base: Path, engine: Path, env: dict[str, str], source: str, name: str = "e2e") -> Project:
        """A project whose __main__.py is `source`."""
        workdir = base / "program"
        workdir.mkdir(parents=True)
        (workdir / "Pulumi.yaml").write_text(f"name: {name}\nruntime: python\n")
        (workdir / "__main__.py").write_text(source)
        return cls(workdir, engine, env)

    @classmethod
    def from_folder(cls, base: Path, engine: Path, env: dict[str, str], folder: Path) -> Project:
        """A copy of an existing program folder (an example)."""
        workdir = base / folder.name
        shutil.copytree(folder, workdir, ignore=shutil.ignore_patterns("Pulumi.*.yaml", "__pycache__"))
        return cls(workdir, engine, env)

    @property
    def stack(self) -> auto.Stack:
        if self._stack is None:
            self._stack = self._within_limit(f"pulumi stack select --create {self.stack_name}", self._select_stack)
        return self._stack

    def _select_stack(self) -> auto.Stack:
        options = auto.LocalWorkspaceOptions(
            work_dir=str(self.workdir),
            pulumi_home=self.env["PULUMI_HOME"],
            env_vars=self.env,
            pulumi_command=auto.PulumiCommand(root=str(self._engine.parent)),
        )
        return auto.create_or_select_stack(self.stack_name, work_dir=str(self.workdir), opts=options)

    def _within_limit(self, command: str, call: Callable[[], T], output: list[str] | None = None) -> T:
        """call(), an Automation API call running `command`; ended with its processes if it overruns the limit."""
        with command_deadline(self.env) as fired:
            try:
                return call()
            except auto.CommandError:
                if not fired.is_set():
                    raise
        raise EngineTimeout(command, self.workdir, "\n".join(output or []))

    def configure(self, values: dict[str, str], secret: tuple[str, ...] = ()) -> None:
        stack = self.stack
        config = {k: auto.ConfigValue(v, secret=k in secret) for k, v in values.items()}
        self._within_limit("pulumi config set-all", lambda: stack.set_all_config(config))

    def _run(self, operation: str, expect_ok: bool, **kwargs) -> OperationResult:
        lines: list[str] = []
        stack = self.stack
        try:
            result = self._within_limit(
                f"pulumi {operation}",
                lambda: getattr(stack, operation)(on_output=lines.append, color="never", **kwargs),
                lines,
            )
        except auto.CommandError as error:
            ran = OperationResult(False, "\n".join(lines) + "\n" + str(error))
        else:
            outputs = {k: v.value for k, v in getattr(result, "outputs", {}).items()}
            changes = getattr(getattr(result, "summary", None), "resource_changes", None) or {}
            ran = OperationResult(True, "\n".join(lines) + "\n" + getattr(result, "stdout", ""), outputs, changes)
        if ran.ok != expect_ok:
            raise EngineFailure(f"pulumi {operation} was expected to {'succeed' if expect_ok else 'fail'}; "
                                f"the engine said:\n{ran.output}")
        return ran

    def preview(self, expect_ok: bool = True, **kwargs) -> OperationResult:
        return self._run("preview", expect_ok, **kwargs)

    def up(self, expect_ok: bool = True, **kwargs) -> OperationResult:
        return self._run("up", expect_ok, **kwargs)

    def refresh(self, expect_ok: bool = True, **kwargs) -> OperationResult:
        return self._run("refresh", expect_ok, **kwargs)

    def destroy(self, expect_ok: bool = True) -> OperationResult:
        return self._run("destroy", expect_ok)

    def export(self) -> dict:
        """The stack's state as `pulumi stack export --show-secrets` gives it."""
        stack = self.stack
        return self._within_limit("pulumi stack export", lambda: stack.export_stack().deployment)

    def spawn(self, *args: str) -> subprocess.Popen:
        """Start the pulumi CLI in the background (to interrupt it), output to a file beside the project.

        The test ends it (and what it started) at teardown, if it has not ended by then."""
        log = open(self.workdir.parent / f"{args[0]}-{len(list(self.workdir.parent.glob('*.log')))}.log", "w")
        return subprocess.Popen([str(self._engine / "pulumi"), *args, "--stack", self.stack_name,
                                 "--non-interactive"], cwd=self.workdir, env={**os.environ, **self.env},
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run the pulumi CLI itself in the project folder, with the stack's environment."""
        command = [str(self._engine / "pulumi"), *args, "--stack", self.stack_name, "--non-interactive"]
        try:
            done = subprocess.run(command, cwd=self.workdir, env={**os.environ, **self.env}, capture_output=True,
                                  text=True, timeout=COMMAND_TIMEOUT)
        except subprocess.TimeoutExpired as timeout:
            end_processes(TEST_TAG, self.env[TEST_TAG])
            raise EngineTimeout(f"pulumi {' '.join(args)}", self.workdir, str(timeout.stdout or "")) from None
        if check and done.returncode != 0:
            raise EngineFailure(f"pulumi {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return done


def isolated_env(base: Path, python: str) -> dict[str, str]:
    """Environment for one test's stacks: its own Pulumi home and file backend, offline, no AWS settings of the
    host, and the tags that find its processes (a new test tag per call)."""
    home = base / "pulumi-home"
    backend = base / "backend"
    home.mkdir()
    backend.mkdir()
    return {
        "PULUMI_HOME": str(home),
        "PULUMI_BACKEND_URL": backend.as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK": "false",
        "PULUMI_PYTHON_CMD": python,
        # Keep the host's AWS configuration out: the tests say every AWS setting they want.
        "AWS_CONFIG_FILE": str(base / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(base / "aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        RUN_TAG: RUN_ID,
        TEST_TAG: uuid.uuid4().hex,
    }
