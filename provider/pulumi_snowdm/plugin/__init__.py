"""`pulumi-resource-snowdm`: the native provider plugin serving Task, TaskExecution and FleetGate to any Pulumi
language, on the same spec (`_core.spec`), checks, operations and wait engine as the dynamic resources.

    main.py      the console script: serves gRPC, prints its port, turns Ctrl-C into a cancel, ends with its engine
    arguments.py its command line: the engine's address and flags, --help and --version
    service.py   the ResourceProvider servicer: translates each call to the shared operations
    kinds.py     the resource tokens and what differs per resource (import ids, the verdict line)
    config.py    the provider's settings (snowdm:region ...): checked, and nothing else kept
    wire.py      protobuf Structs to plain dicts and back, unknown values, the scope of a URN
    engine_log.py progress, warnings and verdicts on the resource's own row of `pulumi up`
"""
