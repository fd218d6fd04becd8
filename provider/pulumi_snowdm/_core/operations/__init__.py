"""What each resource does on create, read, update and delete, for any host (the dynamic provider, the plugin).

One module per resource, each with its declaration (`SPEC`), `check`, `create`, `read`, `update` and `delete`
functions over plain dicts of camelCase properties, and `input_reader` (how a diff reads the user's inputs from
state); a `Context` carries what differs between hosts: settings, where progress goes, the host's
deadline and its cancel token. Hosts only translate their protocol to these calls.
"""
