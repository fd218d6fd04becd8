# Source this file to put the project's Python environment and the pinned Pulumi engine first on PATH:
#   source scripts/env.sh
# It runs scripts/setup.sh first (seconds once everything is installed).
_snowdm_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
_snowdm_engine=$(bash "$_snowdm_root/scripts/setup.sh") || return 1
export PATH="$_snowdm_engine:$_snowdm_root/.venv/bin:$PATH"
# The engine's Python pieces (language host, dynamic-provider plugin) run this interpreter, which has the package.
export PULUMI_PYTHON_CMD="$_snowdm_root/.venv/bin/python"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
unset _snowdm_root _snowdm_engine
