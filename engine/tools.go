//go:build tools

// Package engine pins the Pulumi CLI so that `go build` produces it from the
// Go module proxy at exactly the release the Python SDK is pinned to.
package engine

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
