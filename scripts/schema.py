"""Write schema.json from the resource declarations (provider/pulumi_snowdm/_core/spec.py).

    python scripts/schema.py          # rewrite schema.json
    python scripts/schema.py --check  # exit 1 if schema.json is out of date (tests run this)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pulumi_snowdm._core.schema import package_schema

SCHEMA = Path(__file__).resolve().parents[1] / "schema.json"


def main() -> int:
    rendered = json.dumps(package_schema(), indent=2) + "\n"
    if "--check" in sys.argv:
        if SCHEMA.read_text() != rendered:
            print("schema.json is out of date: run python scripts/schema.py", file=sys.stderr)
            return 1
        return 0
    SCHEMA.write_text(rendered)
    return 0


if __name__ == "__main__":
    sys.exit(main())
