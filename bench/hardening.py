"""Hardening figures: the fault and interruption scenarios of tests/e2e, run more often, counted and tabulated.

    source scripts/env.sh && python bench/hardening.py [--seeds 3] [--repeat 2]

Faults: for each kind of fault (and all of them at once), one fault-free `pulumi up` of the scenario in
tests/e2e/test_faults.py, then one faulty `up` per seed, each in a fresh stack against the same emulator. A run's
verdicts are correct when every assertion of the test holds (gate-ok and the fleet pass, gate-failed fails with its
message, no traceback, three tasks). Calls are every SDM request the emulator received, faulted ones included.

Interruptions: each (moment, signal) of tests/e2e/test_interruptions.py `--repeat` times: `pulumi up` interrupted,
then the recovery steps (pulumi cancel after a kill, refresh --clear-pending-creates, up), then the test's checks.

Duplicates are tasks sent twice: the same command to the same devices more than once in one run. It must be 0.
The input and HTTP fuzzing's larger run is separate: `SNOWDM_FUZZ=large python -m pytest tests/fuzz -q`.
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from pulumi_snowdm.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY, Emulator  # noqa: E402

import test_faults  # noqa: E402
import test_interruptions  # noqa: E402
from harness import Project, find_engine, isolated_env  # noqa: E402

ALL_AT_ONCE = {"throttle_rate": 0.5, "error_rate": 0.05, "latency_spike_rate": 0.1, "latency_spike": 3.0,
               "drop_rate": 0.1}


def stack_env(base: Path) -> dict[str, str]:
    base.mkdir(parents=True, exist_ok=True)
    env = isolated_env(base, sys.executable)
    env.update({"AWS_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY_ID, "AWS_SECRET_ACCESS_KEY": DEFAULT_SECRET_ACCESS_KEY,
                "AWS_REGION": test_faults.REGION})
    return env


def verdicts_correct(check, *args) -> bool:
    try:
        check(*args)
    except (AssertionError, KeyError) as error:
        print(f"    wrong: {type(error).__name__}: {str(error)[:300]}", file=sys.stderr)
        if isinstance(args[0], dict):
            print(args[0]["output"][-6000:], file=sys.stderr)
        return False
    return True


def fault_row(engine: Path, name: str, settings: dict, seeds: int, max_attempts: int | None) -> dict:
    with tempfile.TemporaryDirectory() as tmp, Emulator(**test_faults.SCENARIO) as emulator:
        base = Path(tmp)
        env = stack_env(base / "env")
        clean = test_faults.deploy(engine, env, emulator, base, "clean", max_attempts)
        row = collections.Counter(runs=0, correct=0, faults=0, duplicates=0)
        row["clean_calls"] = clean["calls"]
        ratios, answered = [], []
        for seed in range(seeds):
            emulator.set_faults(seed=seed, **settings)
            faulty = test_faults.deploy(engine, env, emulator, base, f"seed-{seed}", max_attempts)
            emulator.set_faults()
            row["runs"] += 1
            row["correct"] += verdicts_correct(test_faults.assert_right_verdicts, faulty)
            row["faults"] += faulty["faults"]
            row["duplicates"] += len(test_interruptions.duplicates(faulty["new_tasks"]))
            ratios.append(faulty["calls"] / clean["calls"])
            answered.append(faulty["answered"] / clean["calls"])
            print(f"  {name} seed {seed}: {faulty['calls']} calls vs {clean['calls']}, {faulty['fault_kinds']}",
                  file=sys.stderr)
        return {"name": name, **row, "ratio_mean": sum(ratios) / len(ratios), "ratio_max": max(ratios),
                "answered_max": max(answered)}


def interruption_row(engine: Path, phase: str, interruption: str, repeat: int) -> dict:
    row = collections.Counter(runs=0, correct=0, duplicates=0, pending=0)
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp, Emulator(**test_interruptions.SCENARIO) as emulator:
            base = Path(tmp)
            project = Project.from_source(base, engine, stack_env(base / "env"), test_interruptions.PROGRAM)
            project.configure({"snowdm:endpoint": emulator.url, "snowdm:region": test_faults.REGION,
                               "fleet": test_faults.json.dumps(test_interruptions.FLEET)})
            if phase == "creating-tasks":
                emulator.set_faults(latency=3.0, operations=["CreateTask"])
            test_interruptions.interrupted_up(project, emulator, phase, interruption)
            emulator.set_faults()
            row["runs"] += 1
            try:
                outcome = test_interruptions.recover(project, killed=interruption == "sigkill")
            except AssertionError as error:
                print(f"    recovery failed: {str(error)[:300]}", file=sys.stderr)
                continue
            row["pending"] += len(outcome["pending_before"])
            row["correct"] += verdicts_correct(test_interruptions.assert_recovered, project, emulator, outcome)
            row["duplicates"] += len(test_interruptions.duplicates(emulator.model.tasks()))
    return {"name": f"{phase}, {interruption}", **row}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="faulty runs per kind of fault")
    parser.add_argument("--repeat", type=int, default=2, help="runs per interruption scenario")
    parser.add_argument("--max-attempts", type=int, default=0,
                        help="snowdm:maxAttempts of the fault runs (0, the default: the provider's own default)")
    parser.add_argument("--faults-only", action="store_true", help="skip the interruption scenarios")
    args = parser.parse_args()
    engine = find_engine()

    max_attempts = args.max_attempts or None
    faults = [fault_row(engine, name, settings, args.seeds, max_attempts)
              for name, settings in [*test_faults.FAULTS.items(), ("all at once", ALL_AT_ONCE)]]
    print(f"\nFaults: one fault-free run per scenario, then one faulty run per seed; snowdm:maxAttempts "
          f"{max_attempts or 'default'}\n")
    print("| scenario | faulty runs | faulted calls | verdicts correct | calls fault-free | calls faulty / "
          "fault-free (mean, max) | answered calls / fault-free (max) | duplicate tasks |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in faults:
        print(f"| {r['name']} | {r['runs']} | {r['faults']} | {r['correct']}/{r['runs']} | {r['clean_calls']} "
              f"| {r['ratio_mean']:.2f}, {r['ratio_max']:.2f} | {r['answered_max']:.2f} | {r['duplicates']} |")

    interruptions = [] if args.faults_only else [
        interruption_row(engine, phase, interruption, args.repeat)
        for phase in test_interruptions.PHASES for interruption in test_interruptions.INTERRUPTIONS]
    print("\nInterruptions: `pulumi up` interrupted, then cancel (after a kill), refresh --clear-pending-creates, up\n")
    print("| interrupted while, by | runs | pending operations left | verdicts correct after recovery "
          "| duplicate tasks |")
    print("|---|---:|---:|---:|---:|")
    for r in interruptions:
        print(f"| {r['name']} | {r['runs']} | {r['pending']} | {r['correct']}/{r['runs']} | {r['duplicates']} |")
    total = sum(r["duplicates"] for r in faults + interruptions)
    print(f"\nScenarios: {len(faults) + len(interruptions)}; runs: {sum(r['runs'] for r in faults + interruptions)}; "
          f"duplicate tasks found: {total}")


if __name__ == "__main__":
    main()
