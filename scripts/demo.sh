#!/usr/bin/env bash
# Set up, start the local SDM emulator, and run an example against it (default: the main example,
# examples/unlock-then-deploy; or `bash scripts/demo.sh canary-reboot`): `pulumi up` (the gates wait for the devices),
# the stack's outputs, then `pulumi destroy`. Everything the demo creates lives in a temporary folder, removed at
# the end. Every example takes the emulator's fleet as its `devices` config. The program runs in a virtual environment
# of its own where the package is installed from its wheel, as users get it (the editable install in .venv hides
# pulumi-plugin.json from the Python language host, which would then look for a `snowdm` plugin and warn).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
example=${1:-unlock-then-deploy}
[ -f "examples/$example/Pulumi.yaml" ] || { echo "demo: no example named $example in examples/" >&2; exit 2; }
source scripts/env.sh

work=$(mktemp -d)
emulator_pid=
cleanup() {
  [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "demo: installing pulumi-snowdm from its wheel into a fresh virtual environment"
PIP_CONSTRAINT="$root/constraints.txt" python -m pip wheel --quiet --disable-pip-version-check --no-deps \
  --wheel-dir "$work/dist" . >&2
python -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check -c constraints.txt "$work/dist"/*.whl
export PATH="$work/venv/bin:$PATH" PULUMI_PYTHON_CMD="$work/venv/bin/python"

# The default fleet's commands take a few device seconds: at real time you see them go QUEUED -> IN_PROGRESS ->
# SUCCEEDED. A scenario with a longer reboot would add e.g. `--time-scale 60`.
snowdm-emulator --port 0 >"$work/emulator.log" 2>&1 &
emulator_pid=$!
url=
for _ in $(seq 100); do
  url=$(sed -n 's/^snowdm-emulator listening on //p' "$work/emulator.log")
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { cat "$work/emulator.log" >&2; echo "demo: the emulator did not start" >&2; exit 1; }
echo "demo: emulator at $url"

export AWS_ACCESS_KEY_ID=snowdm-emulator AWS_SECRET_ACCESS_KEY=snowdm-emulator-secret
export AWS_REGION=us-west-2 AWS_DEFAULT_REGION=us-west-2
export PULUMI_HOME="$work/pulumi-home" PULUMI_BACKEND_URL="file://$work/backend" PULUMI_CONFIG_PASSPHRASE=demo
mkdir -p "$work/backend"
cp -r "examples/$example" "$work/program"
cd "$work/program"

pulumi stack init demo --non-interactive >/dev/null
pulumi config set snowdm:endpoint "$url"
pulumi config set snowdm:region us-west-2
# The emulator's default fleet: ask it, as you would ask SDM (ListDevices).
devices=$(python - "$url" <<'PY'
import sys, boto3
client = boto3.client("snow-device-management", endpoint_url=sys.argv[1])
print(" ".join(d["managedDeviceId"] for d in client.list_devices()["devices"]))
PY
)
i=0
for device in $devices; do
  pulumi config set --path "devices[$i]" "$device"
  i=$((i + 1))
done

pulumi up --yes --non-interactive
pulumi stack output
pulumi destroy --yes --non-interactive
echo "demo: done"
