#!/usr/bin/env bash
# Record state-0.1.0.json: deploy program/ with a release's code and export the stack (tests/e2e/test_upgrade.py
# previews it under the current code). Run with the release's checkout and its .venv, e.g. for 0.1.0:
#   git worktree add /tmp/v010 <the commit before the version bump> && (cd /tmp/v010 && bash scripts/setup.sh)
#   bash tests/e2e/upgrade/record.sh /tmp/v010 > tests/e2e/upgrade/state-0.1.0.json
# The endpoint comes from AWS_ENDPOINT_URL_SNOW_DEVICE_MANAGEMENT, so no emulator address is in the stack config.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
release=$(cd "$1" && pwd)
source "$release/scripts/env.sh" >/dev/null
work=$(mktemp -d)
emulator_pid=
trap '[ -n "$emulator_pid" ] && kill "$emulator_pid"; rm -rf "$work"' EXIT
snowdm-emulator --port 0 --time-scale 10 >"$work/emulator.log" 2>&1 &
emulator_pid=$!
until grep -q listening "$work/emulator.log"; do sleep 0.1; done
export AWS_ENDPOINT_URL_SNOW_DEVICE_MANAGEMENT=$(sed -n 's/^snowdm-emulator listening on //p' "$work/emulator.log")
export AWS_ACCESS_KEY_ID=snowdm-emulator AWS_SECRET_ACCESS_KEY=snowdm-emulator-secret AWS_REGION=us-west-2
export PULUMI_HOME="$work/home" PULUMI_BACKEND_URL="file://$work/backend" PULUMI_CONFIG_PASSPHRASE=snowdm-e2e-passphrase  # the e2e harness's
mkdir -p "$work/backend"
cp -r "$here/program" "$work/program"
cd "$work/program"
pulumi stack init upgrade --non-interactive >/dev/null
pulumi config set snowdm:region us-west-2 >/dev/null
pulumi up --yes --non-interactive >&2
pulumi stack export
