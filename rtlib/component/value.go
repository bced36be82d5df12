package component

// Value is a component value in Go. Its dynamic type follows the WIT type
// it is lifted from or lowered to:
//
//	bool                        bool
//	s8 s16 s32 s64              int8 int16 int32 int64
//	u8 u16 u32 u64              uint8 uint16 uint32 uint64
//	f32 f64                     float32 float64
//	char                        rune
//	string                      string
//	list, tuple, record         []Value (records: fields in order)
//	variant, enum, option,      Case (option: 0 none, 1 some;
//	result                      result: 0 ok, 1 error)
//	flags                       uint32 (bit i is label i)
//	own, borrow                 Handle
type Value = any

// Case is a value of a variant, enum, option or result: the case index and
// its payload (nil when the case has none).
type Case struct {
	Index uint32
	Value Value
}

// Handle is a resource handle as the host sees it: the resource's
// representation (for a host resource, whatever number the host chose when
// it created the handle; for a guest resource, its i32 rep).
type Handle struct {
	Rep uint32
}

// Some returns option some(v).
func Some(v Value) Case { return Case{1, v} }

// None returns option none.
func None() Case { return Case{0, nil} }

// Ok returns result ok(v) (v nil for a result without ok payload).
func Ok(v Value) Case { return Case{0, v} }

// Err returns result error(v).
func Err(v Value) Case { return Case{1, v} }
