"""The program whose state tests/e2e/test_upgrade.py replays under the new code (recorded by record.sh)."""

import pulumi

import pulumi_snowdm as snowdm
import pulumi_snowdm.native as native

UNLOCKED = ["smd-demo-0000", "smd-demo-0001"]
REBOOTED = ["smd-demo-0002", "smd-demo-0003"]
FAST = {"poll_interval_seconds": 0.5, "max_poll_interval_seconds": 1}

task = snowdm.Task("unlock", command=snowdm.Command.unlock(), targets=UNLOCKED)
gates = [snowdm.TaskExecution(f"unlocked-{d}", task_id=task.task_id, managed_device_id=d, **FAST) for d in UNLOCKED]
fleet = snowdm.FleetGate("rebooted", devices=REBOOTED, command=snowdm.Command.reboot(), min_succeeded="50%", **FAST)

native_task = native.Task("native-unlock", command="unlock", targets=UNLOCKED, run_id="native")
native_gates = [native.TaskExecution(f"native-unlocked-{d}", task_id=native_task.task_id, managed_device_id=d, **FAST)
                for d in UNLOCKED]
native_fleet = native.FleetGate("native-rebooted", devices=REBOOTED, command="reboot", run_id="native", **FAST)

pulumi.export("tasks", [task.task_id, native_task.task_id])
pulumi.export("fleets", [fleet.succeeded, native_fleet.succeeded])
