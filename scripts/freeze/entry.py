"""The frozen plugin's entry point: what `pulumi-resource-snowdm` runs (the console script's `main`)."""

from pulumi_snowdm.plugin.main import main

main()
