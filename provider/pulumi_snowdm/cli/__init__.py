"""`snowdm`: gate any CI step on Snow Device Management executions, without Pulumi.

    snowdm run --command reboot --devices-file fleet.txt --run-id "$CI_PIPELINE_ID" --min-succeeded 95%
    snowdm wait --task-id st-... --timeout 30m --queued-timeout 15m
    snowdm status --task-id st-...

The same wait engine as the resources (`_core.wait`), the same checks of inputs, the same client tokens, shards of
10 and configuration (`--region`, `--profile`, `--endpoint-url`, then the AWS environment). Modules: `parser`
(options), `inputs` and `durations` (checks), `gate` (create, wait, look), `results` (per device), `progress` (stderr),
`verdict_table`, `junit`, `annotations` (outputs), `exits` (exit codes), `interrupts` (Ctrl-C, SIGTERM, SIGHUP), `app`.
Nothing here imports pulumi or gRPC.
"""

from pulumi_snowdm.cli.app import main

__all__ = ["main"]
