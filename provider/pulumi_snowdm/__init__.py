"""pulumi-snowdm: gate Pulumi deployments on AWS Snow Device Management task executions."""
