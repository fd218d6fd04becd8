//go:build tools

// Package yamlhost pins the YAML language host the engine launches for programs
// laid out with `runtime: yaml` (examples/yaml-gate, the plugin's end-to-end
// tests). Its own module, so go.sum pins every hash of the build.
package yamlhost

import (
	_ "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"
)
