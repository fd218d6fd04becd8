"""Pieces of the Pulumi programs that end-to-end tests deploy.

MARKER stands in for what a gate protects: a dynamic resource that writes "deployed" to its `path` when created, so
a test can see whether anything that depends on a gate was deployed.
"""

MARKER = '''
from pathlib import Path as _Path

from pulumi.dynamic import CreateResult as _CreateResult, Resource as _Resource, ResourceProvider as _Provider


class MarkerProvider(_Provider):
    def create(self, props):
        if props.get("path"):
            _Path(props["path"]).write_text("deployed")
        return _CreateResult(id_=props.get("path") or "marker", outs=props)


class Marker(_Resource):
    def __init__(self, name, path=None, opts=None):
        super().__init__(MarkerProvider(), name, {"path": path}, opts)
'''
