//go:build tools

// Package langhost pins the Python language host the engine launches for
// programs laid out with `runtime: python`. See ../README.md for why it is
// taken from an older sdk/v3 release than the CLI.
package langhost

import (
	_ "github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python"
)
