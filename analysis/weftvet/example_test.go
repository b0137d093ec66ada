package weftvet_test

import (
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"path"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/weftsim/weft/analysis/weftvet"
)

// stubs stands in for weft's clock: the analyzer needs only its import path.
const stub = `package clock

import "context"

func Sleep(ctx context.Context, d int64) error { return nil }`

const src = `package service

import (
	"context"
	"time"

	"github.com/weftsim/weft/clock"
)

func poll(ctx context.Context, ch chan int) {
	start := time.Now()
	ch <- 1
	_ = clock.Sleep(ctx, 1)
	//weftvet:ignore the log line wants wall time
	_ = time.Since(start)
}`

// weftImporter type-checks the clock stub and imports everything else
// from the standard library's sources.
type weftImporter struct {
	fset *token.FileSet
	std  types.Importer
}

func (im weftImporter) Import(p string) (*types.Package, error) {
	if p != "github.com/weftsim/weft/clock" {
		return im.std.Import(p)
	}
	f, err := parser.ParseFile(im.fset, "clock.go", stub, 0)
	if err != nil {
		return nil, err
	}
	conf := types.Config{Importer: im.std}
	return conf.Check(p, im.fset, []*ast.File{f}, nil)
}

// The analyzer run by hand on one file, as go vet or weftvet would run it.
func Example() {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "service.go", src, parser.ParseComments)
	if err != nil {
		panic(err)
	}
	files := []*ast.File{f}
	info := &types.Info{
		Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{},
		Uses: map[*ast.Ident]types.Object{}, Scopes: map[ast.Node]*types.Scope{},
	}
	conf := types.Config{Importer: weftImporter{fset, importer.ForCompiler(fset, "source", nil)}}
	pkg, err := conf.Check("service", fset, files, info)
	if err != nil {
		panic(err)
	}
	pass := &analysis.Pass{
		Analyzer: weftvet.Analyzer, Fset: fset, Files: files, Pkg: pkg, TypesInfo: info,
		ResultOf: map[*analysis.Analyzer]any{inspect.Analyzer: inspector.New(files)},
		Report: func(d analysis.Diagnostic) {
			pos := fset.Position(d.Pos)
			fmt.Printf("%s:%d: %s\n", path.Base(pos.Filename), pos.Line, d.Message)
			for _, fix := range d.SuggestedFixes {
				fmt.Println("\tfix:", fix.Message)
			}
		},
	}
	if _, err := weftvet.Analyzer.Run(pass); err != nil {
		panic(err)
	}
	// Output:
	// service.go:11: time.Now reads the wall clock, which a simulation does not control: use clock.Now(ctx)
	// 	fix: Replace with clock.Now(ctx)
	// service.go:12: send on a native channel: a simulation cannot see it wait; use runtime.Chan (Send(ctx, v))
}
