"""Only a resource's own property names change case; nested keys (tags, per-device maps) stay as written."""

from pulumi_snowdm import FleetGate, Task, TaskExecution


def test_own_properties_change_case_and_nested_keys_do_not():
    # Instances without registering them: only the class matters to the translations.
    task, gate, fleet = (cls.__new__(cls) for cls in (Task, TaskExecution, FleetGate))
    assert task.translate_input_property("existing_task_id") == "existingTaskId"
    assert task.translate_output_property("taskArn") == "task_arn"
    assert gate.translate_output_property("lastUpdatedAt") == "last_updated_at"
    assert fleet.translate_output_property("failedDevices") == "failed_devices"
    for key in ("Team", "cost_center", "SUCCEEDED", "smd-0001", "__provider"):
        assert task.translate_input_property(key) == key
        assert task.translate_output_property(key) == key
        assert fleet.translate_output_property(key) == key
