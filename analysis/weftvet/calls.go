package weftvet

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strconv"

	"golang.org/x/tools/go/analysis"
)

// wallClock is the advice for each function of package time a simulation
// cannot see; fix says which get a suggested fix (the clock function of
// the same name, with ctx first).
var wallClock = map[string]struct {
	advice string
	fix    bool
}{
	"Now":       {"use clock.Now(ctx)", true},
	"Since":     {"use clock.Since(ctx, t)", true},
	"Until":     {"use clock.Until(ctx, t)", true},
	"Sleep":     {"use clock.Sleep(ctx, d)", true},
	"After":     {"use runtime.OnAfter(d, f) in a runtime.Select, or clock.Sleep(ctx, d)", false},
	"Tick":      {"use clock.NewTicker(ctx, d, clock.Burst) and Tick(ctx) or clock.OnTick", false},
	"NewTicker": {"use clock.NewTicker(ctx, d, clock.Burst) and Tick(ctx) or clock.OnTick", false},
	"NewTimer":  {"use clock.NewTimer(ctx, d) and Wait(ctx) or clock.OnTimer", false},
	"AfterFunc": {"use runtime.Spawn of a task that calls clock.Sleep(ctx, d) first", false},
}

// deadlines are context's functions with a clock twin of the same
// signature.
var deadlines = map[string]bool{"WithTimeout": true, "WithDeadline": true}

// randConstructors are the functions of math/rand and math/rand/v2 that
// do not draw from the global source.
var randConstructors = map[string]bool{"New": true, "NewSource": true, "NewPCG": true, "NewChaCha8": true, "NewZipf": true}

func (c *checker) call(call *ast.CallExpr, stack []ast.Node) {
	fn := calleeFunc(c.pass, call)
	if fn == nil || fn.Pkg() == nil {
		return
	}
	name := fn.Name()
	switch path := fn.Pkg().Path(); path {
	case "time":
		w, ok := wallClock[name]
		if !ok {
			return
		}
		var fixes []analysis.SuggestedFix
		if w.fix {
			fixes = c.clockFix(call, "clock."+name, true)
		}
		c.report(call.Pos(), fixes, fmt.Sprintf("time.%s reads the wall clock, which a simulation does not control: %s", name, w.advice))
	case "context":
		switch {
		case deadlines[name]:
			c.report(call.Pos(), c.clockFix(call, "clock."+name, false),
				fmt.Sprintf("context.%s expires on the wall clock, which a simulation does not see: use clock.%s", name, name))
		case name == "WithTimeoutCause" || name == "WithDeadlineCause":
			c.report(call.Pos(), nil, fmt.Sprintf("context.%s expires on the wall clock, which a simulation does not see: use clock.%s", name, name[:len(name)-len("Cause")]))
		}
	case "math/rand", "math/rand/v2":
		if !randConstructors[name] {
			c.report(call.Pos(), nil, fmt.Sprintf("%s.%s draws from the process-wide source, which a simulation does not seed: use runtime.Rand(ctx) (a math/rand/v2 *Rand)", path, name))
		}
	case "crypto/rand":
		if name == "Read" {
			c.report(call.Pos(), nil, "crypto/rand.Read draws bytes a simulation does not seed: use io.ReadFull(runtime.RandReader(ctx), b)")
		}
	case "sync":
		if name == "NewCond" {
			c.report(call.Pos(), nil, "sync.NewCond: a sync.Cond blocks without the simulation's knowledge; use runtime.Notify")
		}
	}
}

// syncTypes are the blocking types of package sync, with their twins.
var syncTypes = map[string]string{
	"Mutex":     "runtime.Mutex (Lock(ctx))",
	"RWMutex":   "runtime.RWMutex (Lock(ctx), RLock(ctx))",
	"WaitGroup": "runtime.WaitGroup (Wait(ctx)) or a runtime.JoinSet",
	"Cond":      "runtime.Notify",
}

// syncType reports a use of sync.Mutex, RWMutex, WaitGroup or Cond.
func (c *checker) syncType(sel *ast.SelectorExpr) {
	tn, ok := c.pass.TypesInfo.Uses[sel.Sel].(*types.TypeName)
	if !ok || tn.Pkg() == nil || tn.Pkg().Path() != "sync" {
		return
	}
	if twin, ok := syncTypes[tn.Name()]; ok {
		c.report(sel.Pos(), nil, fmt.Sprintf("sync.%s blocks without the simulation's knowledge: use %s", tn.Name(), twin))
	}
}

// clockFix rewrites call to the clock function fun: with ctx inserted as
// the first argument if withCtx (a context.Context variable must be in
// scope), adding the clock import if the file lacks it. It returns nil
// when the rewrite is not mechanical.
func (c *checker) clockFix(call *ast.CallExpr, fun string, withCtx bool) []analysis.SuggestedFix {
	file := c.fileOf(call.Pos())
	if file == nil {
		return nil
	}
	qual, importEdit, ok := c.clockQualifier(file, call.Pos())
	if !ok {
		return nil
	}
	fun = qual + fun[len("clock"):]
	edits := []analysis.TextEdit{{Pos: call.Fun.Pos(), End: call.Fun.End(), NewText: []byte(fun)}}
	msg := "Replace with " + fun
	if withCtx {
		ctx := c.ctxInScope(call.Pos())
		if ctx == "" {
			return nil
		}
		arg, shown := ctx, ctx
		if len(call.Args) > 0 {
			arg, shown = ctx+", ", ctx+", ..."
		}
		edits = append(edits, analysis.TextEdit{Pos: call.Lparen + 1, End: call.Lparen + 1, NewText: []byte(arg)})
		msg += "(" + shown + ")"
	}
	if importEdit != nil {
		edits = append(edits, *importEdit)
	}
	return []analysis.SuggestedFix{{Message: msg, TextEdits: edits}}
}

func (c *checker) fileOf(pos token.Pos) *ast.File {
	for _, f := range c.pass.Files {
		if f.FileStart <= pos && pos <= f.FileEnd {
			return f
		}
	}
	return nil
}

// clockQualifier returns the name under which file imports package clock,
// or "clock" and the edit that adds the import; ok is false if "clock"
// means something else at pos.
func (c *checker) clockQualifier(file *ast.File, pos token.Pos) (string, *analysis.TextEdit, bool) {
	for _, imp := range file.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == clockPath {
			if imp.Name != nil {
				if imp.Name.Name == "_" || imp.Name.Name == "." {
					return "", nil, false
				}
				return imp.Name.Name, nil, true
			}
			return "clock", nil, true
		}
	}
	if s := c.pass.Pkg.Scope().Innermost(pos); s != nil {
		if _, obj := s.LookupParent("clock", pos); obj != nil {
			return "", nil, false // the name is taken
		}
	}
	var last ast.Decl
	for _, d := range file.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT {
			last = g
		}
	}
	if last == nil {
		return "", nil, false
	}
	edit := &analysis.TextEdit{Pos: last.End(), End: last.End(), NewText: []byte("\n\nimport \"" + clockPath + "\"")}
	return "clock", edit, true
}

// ctxInScope returns the name of a context.Context variable visible at
// pos, preferring the innermost and, within a scope, one named ctx.
func (c *checker) ctxInScope(pos token.Pos) string {
	inner := c.pass.Pkg.Scope().Innermost(pos)
	for s := inner; s != nil && s != c.pass.Pkg.Scope(); s = s.Parent() {
		best := ""
		for _, name := range s.Names() {
			v, ok := s.Lookup(name).(*types.Var)
			if !ok || v.Pos() >= pos || !isContextType(v.Type()) {
				continue
			}
			if _, obj := inner.LookupParent(name, pos); obj != v {
				continue // shadowed
			}
			if best == "" || name == "ctx" {
				best = name
			}
		}
		if best != "" {
			return best
		}
	}
	return ""
}
