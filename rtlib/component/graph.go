package component

// Graph is a component flattened by the compiler into the steps that
// instantiate it: core instances created in order from the component's
// core modules (Graph.Modules of them, passed to Instantiate in order),
// the canonical functions joining them, and the root's imports and
// exports. Nested components are inlined: each nested instance is a
// component instance of its own (Components counts them, the root being
// 0) with its own resource handle table and re-entrance flag, and a call
// from one to another is lowered and lifted through the host.
type Graph struct {
	Modules    int
	Components int
	Resources  []Resource
	Imports    []Import
	Instances  []CoreInstance
	Lowers     []Lower
	Lifts      []Lift
	Exports    []Export
	// Starts are component start functions, called in order once every
	// core instance exists.
	Starts []Callee
}

// Resource is a resource type of the graph. A host resource comes from an
// import (Import names the instance, Name the resource); a guest resource
// is defined by component instance Owner with representation i32 and an
// optional destructor.
type Resource struct {
	Name   string
	Import string // the importing instance's name; "" for a guest resource
	Owner  int
	Dtor   *CoreItem
}

// Import is an import of the root component: one function (Func) or an
// instance of functions and resources.
type Import struct {
	Name      string
	Func      *FuncType
	Funcs     []NamedFunc
	Resources []int // resources the imported instance exports
}

// NamedFunc is a function of an imported or exported instance.
type NamedFunc struct {
	Name string
	Type *FuncType
}

// CoreInstance instantiates core module Module (when Module >= 0) with
// one argument instance per import module name, or is a bag of Exports
// gathered from other instances and canonical functions (Module < 0).
type CoreInstance struct {
	Module  int
	Args    []CoreArg
	Exports []CoreExport
}

// CoreArg satisfies the imports from module Name with core instance
// Instance.
type CoreArg struct {
	Name     string
	Instance int
}

// CoreExport is one export of a bag instance.
type CoreExport struct {
	Name string
	Item CoreItem
}

// ItemKind says what a CoreItem is.
type ItemKind byte

// Core item kinds.
const (
	ItemExport       ItemKind = iota // export Name of core instance Index
	ItemLower                        // canonical lowering Index (a core function)
	ItemResourceNew                  // resource.new of resource Index in component instance Component
	ItemResourceDrop                 // resource.drop of resource Index
	ItemResourceRep                  // resource.rep of resource Index
)

// CoreItem is a core function, memory, table or global.
type CoreItem struct {
	Kind      ItemKind
	Index     int
	Name      string
	Component int
}

// Encoding is a string encoding of canonical options.
type Encoding byte

// String encodings.
const (
	UTF8 Encoding = iota
	UTF16
	Latin1UTF16
)

// Options are a canonical function's options. Component is the component
// instance whose core code the function lifts or lowers into.
type Options struct {
	Encoding   Encoding
	Memory     *CoreItem
	Realloc    *CoreItem
	PostReturn *CoreItem
	Component  int
}

// Callee is a component function: a function of root import Import (Name
// naming it within an imported instance, "" for a function import) when
// Lift < 0, else lifted function Lift.
type Callee struct {
	Import int
	Name   string
	Lift   int
}

// Lower is `canon lower`: Callee made callable from core code.
type Lower struct {
	Callee  Callee
	Type    *FuncType
	Options Options
}

// Lift is `canon lift`: core function Core given component type Type.
type Lift struct {
	Core    CoreItem
	Type    *FuncType
	Options Options
}

// Export is an export of the root component: a function (Funcs empty, Func
// set) or an instance of functions.
type Export struct {
	Name      string
	Func      *Callee
	Funcs     []ExportFunc
	Resources []int
}

// ExportFunc is a function of an exported instance.
type ExportFunc struct {
	Name   string
	Callee Callee
}
