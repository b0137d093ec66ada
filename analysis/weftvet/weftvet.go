package weftvet

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
)

// Analyzer reports, in packages that import weft's runtime, clock or
// netsim, the constructs a simulation cannot see.
var Analyzer = &analysis.Analyzer{
	Name:     "weftvet",
	Doc:      doc,
	URL:      "https://pkg.go.dev/github.com/weftsim/weft/analysis/weftvet",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

const doc = `report what escapes a weft simulation

In packages that import github.com/weftsim/weft/runtime, clock or netsim,
weftvet reports go statements, the wall clock (time.Now, Sleep, After,
Tick, NewTimer, NewTicker, AfterFunc, Since, Until; context.WithTimeout and
WithDeadline), global randomness (math/rand and math/rand/v2 top-level
functions, crypto/rand.Read), native channel operations (send, receive,
range, select) and sync.Mutex, RWMutex, WaitGroup and Cond, each with its
weft replacement. A "//weftvet:ignore reason" comment on the line, or the
line above, keeps a deliberate use.`

// The weft packages whose import makes a package simulated code.
var weftPackages = map[string]bool{
	"github.com/weftsim/weft/runtime": true,
	"github.com/weftsim/weft/clock":   true,
	"github.com/weftsim/weft/netsim":  true,
}

const clockPath = "github.com/weftsim/weft/clock"

func run(pass *analysis.Pass) (any, error) {
	if !importsWeft(pass.Pkg) || weftItself(pass.Pkg.Path()) {
		return nil, nil
	}
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	c := &checker{pass: pass, ignored: ignoredLines(pass)}
	nodes := []ast.Node{
		(*ast.GoStmt)(nil), (*ast.CallExpr)(nil), (*ast.SendStmt)(nil), (*ast.UnaryExpr)(nil),
		(*ast.SelectStmt)(nil), (*ast.RangeStmt)(nil), (*ast.SelectorExpr)(nil),
	}
	ins.WithStack(nodes, func(n ast.Node, push bool, stack []ast.Node) bool {
		if !push {
			return true
		}
		switch n := n.(type) {
		case *ast.GoStmt:
			c.report(n.Pos(), nil, "go statement: a goroutine is invisible to a simulation; use runtime.Spawn(ctx, ...) (or a JoinSet)")
		case *ast.CallExpr:
			c.call(n, stack)
		case *ast.SendStmt:
			if isChan(pass, n.Chan) && !inSelectComm(n, stack) {
				c.report(n.Arrow, nil, "send on a native channel: a simulation cannot see it wait; use runtime.Chan (Send(ctx, v))")
			}
		case *ast.UnaryExpr:
			if n.Op == token.ARROW && !inSelectComm(n, stack) {
				c.receive(n.OpPos, n.X)
			}
		case *ast.SelectStmt:
			c.report(n.Select, nil, "select statement on native channels: a simulation cannot see it wait; use runtime.Select with OnRecv, OnSend, OnAfter, clock.OnTimer")
		case *ast.RangeStmt:
			if isChan(pass, n.X) {
				c.report(n.For, nil, "range over a native channel: a simulation cannot see it wait; use runtime.Chan and Recv(ctx) in a loop")
			}
		case *ast.SelectorExpr:
			c.syncType(n)
		}
		return true
	})
	return nil, nil
}

// weftItself reports whether path is one of weft's own packages, which
// build the simulation on the real primitives (its examples and test data
// are checked).
func weftItself(path string) bool {
	const module = "github.com/weftsim/weft"
	if path != module && !strings.HasPrefix(path, module+"/") {
		return false
	}
	return !strings.Contains(path, "/examples/") && !strings.Contains(path, "/testdata/")
}

func importsWeft(pkg *types.Package) bool {
	for _, imp := range pkg.Imports() {
		if weftPackages[imp.Path()] {
			return true
		}
	}
	return false
}

type checker struct {
	pass    *analysis.Pass
	ignored map[token.Position]bool // file:line of ignore comments' targets
}

// report reports a diagnostic at pos unless an ignore comment covers it.
func (c *checker) report(pos token.Pos, fixes []analysis.SuggestedFix, msg string) {
	p := c.pass.Fset.Position(pos)
	if c.ignored[token.Position{Filename: p.Filename, Line: p.Line}] {
		return
	}
	c.pass.Report(analysis.Diagnostic{Pos: pos, Message: msg, SuggestedFixes: fixes})
}

// receive reports a receive from a native channel.
func (c *checker) receive(pos token.Pos, ch ast.Expr) {
	if call, ok := ast.Unparen(ch).(*ast.CallExpr); ok {
		if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Done" && isContext(c.pass, sel.X) {
			c.report(pos, nil, "receive from ctx.Done(): a simulation cannot see it wait; use runtime.Select(ctx) (or a weft wait that takes ctx)")
			return
		}
		if fn := calleeFunc(c.pass, call); fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == "time" && fn.Name() == "After" {
			return // time.After is reported at the call
		}
	}
	if isChan(c.pass, ch) {
		c.report(pos, nil, "receive from a native channel: a simulation cannot see it wait; use runtime.Chan (Recv(ctx))")
	}
}

// inSelectComm reports whether the receive is the communication of a
// select case, which the select statement's report covers.
func inSelectComm(n ast.Node, stack []ast.Node) bool {
	for i := len(stack) - 2; i >= 0; i-- {
		if cc, ok := stack[i].(*ast.CommClause); ok {
			return cc.Comm != nil && cc.Comm.Pos() <= n.Pos() && n.End() <= cc.Comm.End()
		}
	}
	return false
}

func isChan(pass *analysis.Pass, e ast.Expr) bool {
	t := pass.TypesInfo.TypeOf(e)
	if t == nil {
		return false
	}
	_, ok := t.Underlying().(*types.Chan)
	return ok
}

func isContext(pass *analysis.Pass, e ast.Expr) bool {
	t := pass.TypesInfo.TypeOf(e)
	return t != nil && isContextType(t)
}

func isContextType(t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "context" && n.Obj().Name() == "Context"
}

// calleeFunc returns the package-level function a call calls, or nil.
func calleeFunc(pass *analysis.Pass, call *ast.CallExpr) *types.Func {
	var id *ast.Ident
	switch f := ast.Unparen(call.Fun).(type) {
	case *ast.SelectorExpr:
		id = f.Sel
	case *ast.Ident:
		id = f
	case *ast.IndexExpr: // rand.N[int64]
		if sel, ok := f.X.(*ast.SelectorExpr); ok {
			id = sel.Sel
		}
	default:
		return nil
	}
	fn, ok := pass.TypesInfo.Uses[id].(*types.Func)
	if !ok || fn.Type().(*types.Signature).Recv() != nil {
		return nil
	}
	return fn
}

// ignoredLines finds the "//weftvet:ignore reason" comments and returns
// the lines they cover: their own, and the next one. A comment without a
// reason is reported.
func ignoredLines(pass *analysis.Pass) map[token.Position]bool {
	lines := map[token.Position]bool{}
	for _, f := range pass.Files {
		for _, cg := range f.Comments {
			for _, cm := range cg.List {
				rest, ok := strings.CutPrefix(cm.Text, "//weftvet:ignore")
				if !ok {
					continue
				}
				if strings.TrimSpace(rest) == "" {
					pass.Reportf(cm.Pos(), "weftvet:ignore needs a reason: //weftvet:ignore why this use is deliberate")
					continue
				}
				p := pass.Fset.Position(cm.Pos())
				lines[token.Position{Filename: p.Filename, Line: p.Line}] = true
				lines[token.Position{Filename: p.Filename, Line: p.Line + 1}] = true
			}
		}
	}
	return lines
}
