package component

import (
	"context"
	"fmt"
)

// Typed helpers for the common shapes: they convert between Values and
// the Go types Value documents, with an error (not a panic) for a value of
// another shape.

// Call calls f and returns its result as R:
//
//	s, err := component.Call[string](ctx, greet, "world")
func Call[R any](ctx context.Context, f *Func, args ...Value) (R, error) {
	var zero R
	v, err := f.Call(ctx, args...)
	if err != nil {
		return zero, err
	}
	r, ok := v.(R)
	if !ok {
		return zero, fmt.Errorf("component: %s returns %T, not %T", f.name, v, zero)
	}
	return r, nil
}

// ListValue makes a list value of a Go slice.
func ListValue[T any](xs []T) []Value {
	out := make([]Value, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// ListOf returns a list value's elements as T.
func ListOf[T any](v Value) ([]T, error) {
	xs, ok := v.([]Value)
	if !ok {
		return nil, fmt.Errorf("component: %T is not a list", v)
	}
	out := make([]T, len(xs))
	for i, x := range xs {
		if out[i], ok = x.(T); !ok {
			return nil, fmt.Errorf("component: list element %d is %T, not %T", i, x, out[i])
		}
	}
	return out, nil
}

// OptionOf returns an option's payload as T and whether it is some.
func OptionOf[T any](v Value) (T, bool, error) {
	var zero T
	c, ok := v.(Case)
	if !ok || c.Index > 1 {
		return zero, false, fmt.Errorf("component: %v is not an option", v)
	}
	if c.Index == 0 {
		return zero, false, nil
	}
	x, ok := c.Value.(T)
	if !ok {
		return zero, false, fmt.Errorf("component: option payload is %T, not %T", c.Value, zero)
	}
	return x, true, nil
}

// ResultOf splits a result value: the ok payload as T, or the error
// payload as E with isErr set. A case without payload gives the zero
// value.
func ResultOf[T, E any](v Value) (ok T, errPayload E, isErr bool, err error) {
	c, is := v.(Case)
	if !is || c.Index > 1 {
		return ok, errPayload, false, fmt.Errorf("component: %v is not a result", v)
	}
	if c.Index == 0 {
		if c.Value != nil {
			if ok, is = c.Value.(T); !is {
				return ok, errPayload, false, fmt.Errorf("component: ok payload is %T, not %T", c.Value, ok)
			}
		}
		return ok, errPayload, false, nil
	}
	if c.Value != nil {
		if errPayload, is = c.Value.(E); !is {
			return ok, errPayload, true, fmt.Errorf("component: error payload is %T, not %T", c.Value, errPayload)
		}
	}
	return ok, errPayload, true, nil
}
