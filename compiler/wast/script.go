// Package wast reads WebAssembly script (.wast) files, the format of the
// specification's test suite, and runs them against an Engine.
//
// ParseScript turns a script into Commands; Run and RunFile execute them
// and count each command as passed, failed or skipped. Parsing, decoding
// and validation are done here, once, with compiler/wat and compiler/wasm;
// execution is delegated to an Engine (the IR interpreter or the native
// runtime, through adapters that live with them). With a nil Engine only
// the front end is exercised: everything that needs execution is skipped
// with a reason, never counted as passed.
package wast

import (
	"fmt"
	"strings"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/compiler/wat"
)

// CommandKind names a script command by its keyword.
type CommandKind string

// Script commands.
const (
	CmdModule               CommandKind = "module"
	CmdRegister             CommandKind = "register"
	CmdAction               CommandKind = "action" // a bare invoke or get
	CmdAssertReturn         CommandKind = "assert_return"
	CmdAssertTrap           CommandKind = "assert_trap"
	CmdAssertExhaustion     CommandKind = "assert_exhaustion"
	CmdAssertMalformed      CommandKind = "assert_malformed"
	CmdAssertInvalid        CommandKind = "assert_invalid"
	CmdAssertUnlinkable     CommandKind = "assert_unlinkable"
	CmdAssertUninstantiable CommandKind = "assert_uninstantiable"
)

// ModuleForm says how a script module is written.
type ModuleForm uint8

// Module forms.
const (
	FormText   ModuleForm = iota // (module field*)
	FormBinary                   // (module binary "…"*)
	FormQuote                    // (module quote "…"*): text parsed only when run
)

// ModuleDef is a module as written in a script.
type ModuleDef struct {
	Name string // $id without the $, or ""
	Form ModuleForm
	Node *wat.Node // FormText: the (module …) node
	Data []byte    // FormBinary: the bytes; FormQuote: the text
	Line int
}

// Encode returns the module's binary encoding: the bytes of a binary
// module, or the translation of a text or quoted module.
func (d *ModuleDef) Encode() ([]byte, error) {
	switch d.Form {
	case FormBinary:
		return d.Data, nil
	case FormQuote:
		return wat.Parse(d.Data)
	}
	return wat.EncodeModule(d.Node)
}

// ActionKind distinguishes invoke from get.
type ActionKind uint8

// Action kinds.
const (
	ActInvoke ActionKind = iota
	ActGet
)

// Action calls an exported function or reads an exported global.
type Action struct {
	Kind   ActionKind
	Module string // instance name without $, or "" for the current module
	Field  string
	Args   []Value
}

// Command is one top-level script command.
type Command struct {
	Kind     CommandKind
	Line     int
	Module   *ModuleDef // module, assert_malformed/invalid/unlinkable/uninstantiable, assert_trap on a module
	Action   *Action    // register-free actions and assert_return/trap/exhaustion on an action
	Expected []Expected // assert_return
	Text     string     // expected failure message of assertions
	As       string     // register: the import name
	Instance string     // register: the instance ($name) registered, or "" for the current one
}

// ParseScript reads a .wast script.
func ParseScript(src []byte) ([]Command, error) {
	nodes, err := wat.ReadAll(src)
	if err != nil {
		return nil, err
	}
	if len(nodes) > 0 && moduleFields[nodes[0].Head()] {
		// The whole script is one module written as bare fields.
		mod := &wat.Node{Kind: wat.List, Pos: nodes[0].Pos,
			List: append([]*wat.Node{{Kind: wat.Keyword, Pos: nodes[0].Pos, Text: "module"}}, nodes...)}
		return []Command{{Kind: CmdModule, Line: mod.Pos.Line, Module: &ModuleDef{Node: mod, Line: mod.Pos.Line}}}, nil
	}
	cmds := make([]Command, 0, len(nodes))
	for _, n := range nodes {
		c, err := parseCommand(n)
		if err != nil {
			return nil, err
		}
		cmds = append(cmds, c)
	}
	return cmds, nil
}

// moduleFields are the keywords that start a module field.
var moduleFields = map[string]bool{
	"type": true, "import": true, "func": true, "table": true, "memory": true,
	"global": true, "export": true, "start": true, "elem": true, "data": true,
}

func errAt(n *wat.Node, format string, args ...any) error {
	return &wat.Error{Pos: n.Pos, Msg: fmt.Sprintf(format, args...)}
}

func parseCommand(n *wat.Node) (Command, error) {
	c := Command{Kind: CommandKind(n.Head()), Line: n.Pos.Line}
	args := n.List
	if len(args) > 0 {
		args = args[1:]
	}
	var err error
	switch c.Kind {
	case CmdModule:
		c.Module, err = parseModule(n)
	case CmdRegister:
		if len(args) == 0 || args[0].Kind != wat.String {
			return c, errAt(n, "register: expected a name string")
		}
		c.As = args[0].Text
		if len(args) > 1 {
			if args[1].Kind != wat.ID || len(args) > 2 {
				return c, errAt(n, "register: expected an optional $instance after the name")
			}
			c.Instance = args[1].Text[1:]
		}
	case "invoke", "get":
		c.Kind = CmdAction
		c.Action, err = parseAction(n)
	case CmdAssertReturn:
		if len(args) == 0 {
			return c, errAt(n, "assert_return: expected an action")
		}
		if c.Action, err = parseAction(args[0]); err != nil {
			return c, err
		}
		for _, r := range args[1:] {
			e, err := parseExpected(r)
			if err != nil {
				return c, err
			}
			c.Expected = append(c.Expected, e)
		}
	case CmdAssertTrap, CmdAssertExhaustion:
		if len(args) != 2 || args[1].Kind != wat.String {
			return c, errAt(n, "%s: expected an action or module and a message", c.Kind)
		}
		c.Text = args[1].Text
		if args[0].Head() == "module" && c.Kind == CmdAssertTrap {
			c.Module, err = parseModule(args[0])
		} else {
			c.Action, err = parseAction(args[0])
		}
	case CmdAssertMalformed, CmdAssertInvalid, CmdAssertUnlinkable, CmdAssertUninstantiable:
		if len(args) != 2 || args[1].Kind != wat.String {
			return c, errAt(n, "%s: expected a module and a message", c.Kind)
		}
		c.Text = args[1].Text
		c.Module, err = parseModule(args[0])
	default:
		return c, errAt(n, "unknown script command %s", describe(n))
	}
	return c, err
}

func describe(n *wat.Node) string {
	if h := n.Head(); h != "" {
		return "(" + h + " …)"
	}
	return n.Text
}

// parseModule reads (module $id? …) in its text, binary or quote form.
func parseModule(n *wat.Node) (*ModuleDef, error) {
	if n.Head() != "module" {
		return nil, errAt(n, "expected (module …), found %s", describe(n))
	}
	d := &ModuleDef{Line: n.Pos.Line, Node: n}
	rest := n.List[1:]
	if len(rest) > 0 && rest[0].Kind == wat.ID {
		d.Name = rest[0].Text[1:]
		rest = rest[1:]
	}
	if len(rest) == 0 || !(rest[0].IsAtom(wat.Keyword, "binary") || rest[0].IsAtom(wat.Keyword, "quote")) {
		return d, nil // text form, translated when run
	}
	d.Form = FormBinary
	if rest[0].Text == "quote" {
		d.Form = FormQuote
	}
	var data []byte
	for _, s := range rest[1:] {
		if s.Kind != wat.String {
			return nil, errAt(s, "module %s: expected strings", rest[0].Text)
		}
		data = append(data, s.Text...)
	}
	d.Data = data
	return d, nil
}

func parseAction(n *wat.Node) (*Action, error) {
	a := &Action{}
	switch n.Head() {
	case "invoke":
		a.Kind = ActInvoke
	case "get":
		a.Kind = ActGet
	default:
		return nil, errAt(n, "expected (invoke …) or (get …), found %s", describe(n))
	}
	rest := n.List[1:]
	if len(rest) > 0 && rest[0].Kind == wat.ID {
		a.Module = rest[0].Text[1:]
		rest = rest[1:]
	}
	if len(rest) == 0 || rest[0].Kind != wat.String {
		return nil, errAt(n, "%s: expected an export name", n.Head())
	}
	a.Field = rest[0].Text
	for _, arg := range rest[1:] {
		if a.Kind == ActGet {
			return nil, errAt(arg, "get: unexpected argument")
		}
		v, err := parseValue(arg)
		if err != nil {
			return nil, err
		}
		a.Args = append(a.Args, v)
	}
	return a, nil
}

// parseValue reads a constant argument: (t.const …), (ref.null …) or (ref.extern N).
func parseValue(n *wat.Node) (Value, error) {
	e, err := parseConst(n, false)
	return e.Value, err
}

func parseExpected(n *wat.Node) (Expected, error) {
	return parseConst(n, true)
}

// parseConst reads a constant; with patterns set it also accepts the
// result patterns nan:canonical, nan:arithmetic and (ref.func).
func parseConst(n *wat.Node, patterns bool) (Expected, error) {
	head := n.Head()
	var args []*wat.Node
	if head != "" {
		args = n.List[1:]
	}
	atom := func() (string, error) {
		if len(args) != 1 || (args[0].Kind != wat.Reserved && args[0].Kind != wat.Keyword) {
			return "", errAt(n, "%s: expected one literal", head)
		}
		return args[0].Text, nil
	}
	var e Expected
	switch head {
	case "i32.const", "i64.const":
		text, err := atom()
		if err != nil {
			return e, err
		}
		size := 32
		e.Type = wasm.I32
		if head == "i64.const" {
			size, e.Type = 64, wasm.I64
		}
		e.Lo, err = wat.ParseInt(text, size)
		if err != nil {
			return e, errAt(n, "%s: %v", head, err)
		}
	case "f32.const", "f64.const":
		text, err := atom()
		if err != nil {
			return e, err
		}
		e.Type = wasm.F32
		if head == "f64.const" {
			e.Type = wasm.F64
		}
		if k, ok := nanPattern(text); ok && patterns {
			e.Kind = k
			return e, nil
		}
		if e.Type == wasm.F32 {
			var bits uint32
			bits, err = wat.ParseF32(text)
			e.Lo = uint64(bits)
		} else {
			e.Lo, err = wat.ParseF64(text)
		}
		if err != nil {
			return e, errAt(n, "%s: %v", head, err)
		}
	case "v128.const":
		return parseV128(n, args, patterns)
	case "ref.null":
		if len(args) != 1 {
			return e, errAt(n, "ref.null: expected func or extern")
		}
		switch args[0].Text {
		case "func":
			e.Type = wasm.FuncRef
		case "extern":
			e.Type = wasm.ExternRef
		default:
			return e, errAt(n, "ref.null: expected func or extern")
		}
	case "ref.extern":
		text, err := atom()
		if err != nil {
			return e, err
		}
		v, err := wat.ParseU32(text)
		if err != nil {
			return e, errAt(n, "ref.extern: %v", err)
		}
		e.Type, e.Lo = wasm.ExternRef, uint64(v)+1
	case "ref.func":
		if !patterns || len(args) != 0 {
			return e, errAt(n, "ref.func: only allowed as a result pattern without index")
		}
		e.Type, e.Kind = wasm.FuncRef, MatchNonNull
	default:
		return e, errAt(n, "expected a constant, found %s", describe(n))
	}
	return e, nil
}

func nanPattern(text string) (MatchKind, bool) {
	switch text {
	case "nan:canonical":
		return MatchCanonicalNaN, true
	case "nan:arithmetic":
		return MatchArithmeticNaN, true
	}
	return MatchExact, false
}

// parseV128 reads `shape lane*`; float lanes may be NaN patterns in results.
func parseV128(n *wat.Node, args []*wat.Node, patterns bool) (Expected, error) {
	e := Expected{Value: Value{Type: wasm.V128}}
	if len(args) == 0 {
		return e, errAt(n, "v128.const: expected a shape")
	}
	shape, ok := wat.LookupShape(args[0].Text)
	if !ok {
		return e, errAt(args[0], "v128.const: unknown shape %s", args[0].Text)
	}
	count, size := shape.Lanes()
	hasPattern := false
	lanes := make([]LaneMatch, count)
	if patterns && shape.Float() {
		for i := 0; i < count && i+1 < len(args); i++ {
			if k, ok := nanPattern(args[i+1].Text); ok {
				lanes[i].Kind = k
				hasPattern = true
			}
		}
	}
	if !hasPattern {
		i := 0
		lo, hi, err := wat.V128Const(args, &i, n.Pos)
		if err != nil {
			return e, err
		}
		if i != len(args) {
			return e, errAt(args[i], "v128.const: too many lanes")
		}
		e.Lo, e.Hi = lo, hi
		return e, nil
	}
	if len(args) != count+1 {
		return e, errAt(n, "v128.const: expected %d lanes", count)
	}
	// Lanes that are not patterns are parsed as exact values, lane by lane.
	for i := range lanes {
		lanes[i].Size = size
		if lanes[i].Kind != MatchExact {
			continue
		}
		text := args[i+1].Text
		var bits uint64
		var err error
		if size == 4 {
			var b uint32
			b, err = wat.ParseF32(text)
			bits = uint64(b)
		} else {
			bits, err = wat.ParseF64(text)
		}
		if err != nil {
			return e, errAt(args[i+1], "v128.const: %v", err)
		}
		lanes[i].Bits = bits
	}
	e.Lanes = lanes
	return e, nil
}

// String renders a command briefly for reports.
func (c *Command) String() string {
	var b strings.Builder
	b.WriteString(string(c.Kind))
	if c.Action != nil {
		verb := "invoke"
		if c.Action.Kind == ActGet {
			verb = "get"
		}
		fmt.Fprintf(&b, " %s %q", verb, c.Action.Field)
	}
	return b.String()
}
