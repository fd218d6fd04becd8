"""The release: the package's version and where its plugin archives are published, set here once.

pyproject.toml reads VERSION (setuptools' dynamic version), `schema.json` carries both (`version`,
`pluginDownloadURL`, written by scripts/generate.py), the SDKs generated from the schema carry them on, the plugin
answers GetPluginInfo and `--version` with VERSION, and `pulumi_snowdm.native` asks the engine for that version of
the plugin from that server. The engine downloads
`<PLUGIN_DOWNLOAD_URL>/pulumi-resource-snowdm-v<VERSION>-<os>-<arch>.tar.gz` (`github://` means the release assets of
that repository, tag v<VERSION>); scripts/package.sh builds the linux-amd64 archive.
"""

from __future__ import annotations

VERSION = "0.2.0"
PLUGIN_DOWNLOAD_URL = "github://api.github.com/pulumi-snowdm/pulumi-snowdm"
