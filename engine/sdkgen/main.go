// Command sdkgen writes the Node.js and Go SDKs of a Pulumi package schema with the generators of the pinned
// pkg/v3 release (codegen/nodejs and codegen/go), for users of languages whose language hosts cannot be built here.
//
//	go run ./sdkgen -schema ../schema.json -out DIR          # DIR/nodejs and DIR/go
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

const tool = "pulumi-snowdm-sdkgen"

func main() {
	schemaPath := flag.String("schema", "schema.json", "the package schema")
	out := flag.String("out", "sdk", "the folder to write <language>/ into")
	languages := flag.String("languages", "nodejs,go", "comma-separated: nodejs, go")
	flag.Parse()
	if err := run(*schemaPath, *out, strings.Split(*languages, ",")); err != nil {
		fmt.Fprintf(os.Stderr, "sdkgen: %v\n", err)
		os.Exit(1)
	}
}

func run(schemaPath, out string, languages []string) error {
	text, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(text, &spec); err != nil {
		return fmt.Errorf("%s: %w", schemaPath, err)
	}
	for _, language := range languages {
		// Each generator records its own language info on the package: bind a fresh one per language.
		pkg, diags, err := schema.BindSpec(spec, noPackages{}, schema.ValidationOptions{})
		if err != nil {
			return err
		}
		if diags.HasErrors() {
			return diags
		}
		files, err := generate(language, pkg)
		if err != nil {
			return fmt.Errorf("%s: %w", language, err)
		}
		if err := write(filepath.Join(out, language), files); err != nil {
			return err
		}
	}
	return nil
}

func generate(language string, pkg *schema.Package) (map[string][]byte, error) {
	switch language {
	case "nodejs":
		return nodejs.GeneratePackage(tool, pkg, nil, nil, false, noPackages{})
	case "go":
		files, err := gogen.GeneratePackage(tool, pkg, nil)
		if err != nil {
			return nil, err
		}
		mod, err := goModule(pkg)
		if err != nil {
			return nil, err
		}
		files["go.mod"] = mod
		return files, nil
	}
	return nil, fmt.Errorf("no generator for %q (nodejs, go)", language)
}

func write(root string, files map[string][]byte) error {
	for name, content := range files {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// goModule is the Go SDK's go.mod: the module above the package's import path, on the sdk/v3 release this tool
// was built with (the pinned one), so the SDK is a module users `go get` (pulumi-plugin.json sits in the package).
func goModule(pkg *schema.Package) ([]byte, error) {
	info, ok := pkg.Language["go"].(gogen.GoPackageInfo)
	if !ok || info.ImportBasePath == "" {
		return nil, fmt.Errorf("the schema's language.go has no importBasePath")
	}
	build, ok := debug.ReadBuildInfo()
	if !ok {
		return nil, fmt.Errorf("no build information to read the pinned sdk/v3 from")
	}
	for _, dep := range build.Deps {
		if dep.Path == "github.com/pulumi/pulumi/sdk/v3" {
			module := path.Dir(info.ImportBasePath)
			return []byte(fmt.Sprintf("module %s\n\ngo 1.21\n\nrequire %s %s\n", module, dep.Path, dep.Version)), nil
		}
	}
	return nil, fmt.Errorf("sdkgen was built without github.com/pulumi/pulumi/sdk/v3")
}

// noPackages is the loader of a schema that refers to no other package (only pulumi.json's built-in types).
type noPackages struct{}

func (noPackages) LoadPackage(name string, _ *semver.Version) (*schema.Package, error) {
	return nil, fmt.Errorf("the schema refers to package %q; sdkgen loads no other package", name)
}

func (l noPackages) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return l.LoadPackage(d.Name, nil)
}

func (l noPackages) LoadPackageReference(name string, _ *semver.Version) (schema.PackageReference, error) {
	return nil, fmt.Errorf("the schema refers to package %q; sdkgen loads no other package", name)
}

func (l noPackages) LoadPackageReferenceV2(
	_ context.Context, d *schema.PackageDescriptor,
) (schema.PackageReference, error) {
	return l.LoadPackageReference(d.Name, nil)
}
