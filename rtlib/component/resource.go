package component

import (
	"context"
	"fmt"

	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// Resource handle tables. Each component instance has its own table; a
// handle is an index into it (0 is never valid). An own handle is moved
// out of the table when it is passed on; a borrow handle lent into a call
// must be dropped before that call returns, and an own handle cannot be
// dropped or moved while it is lent.

func (ci *compInstance) add(h *handle) uint32 {
	if n := len(ci.free); n > 0 {
		i := ci.free[n-1]
		ci.free = ci.free[:n-1]
		ci.handles[i] = h
		return i
	}
	ci.handles = append(ci.handles, h)
	return uint32(len(ci.handles) - 1)
}

func (ci *compInstance) get(i uint32, res int) *handle {
	if i == 0 || int64(i) >= int64(len(ci.handles)) || ci.handles[i] == nil {
		trap("invalid resource handle %d", i)
	}
	h := ci.handles[i]
	if h.res != res {
		trap("resource handle %d is of another resource type", i)
	}
	return h
}

func (ci *compInstance) remove(i uint32, res int) *handle {
	h := ci.get(i, res)
	ci.handles[i] = nil
	ci.free = append(ci.free, i)
	return h
}

// liftHandle takes handle i out of the guest's table (own) or lends it
// for the call (borrow).
func (c *cx) liftHandle(i uint32, t *Type) Handle {
	if t.Kind == Own {
		h := c.comp.get(i, t.Resource)
		if !h.own {
			trap("handle %d is borrowed; an owning handle is required", i)
		}
		if h.lends != 0 {
			trap("handle %d cannot be moved while it is lent", i)
		}
		c.comp.remove(i, t.Resource)
		return Handle{Rep: h.rep}
	}
	h := c.comp.get(i, t.Resource)
	if h.own {
		h.lends++
		c.lent = append(c.lent, h)
	}
	return Handle{Rep: h.rep}
}

// lowerHandle puts a handle into the guest's table. A borrow of a resource
// the guest itself implements arrives as its representation.
func (c *cx) lowerHandle(v Handle, t *Type) uint32 {
	if t.Kind == Own {
		return c.comp.add(&handle{res: t.Resource, rep: v.Rep, own: true})
	}
	r := c.inst.g.Resources[t.Resource]
	if r.Import == "" && r.Owner == c.comp.id {
		return v.Rep
	}
	if c.scope == nil {
		trap("a borrow can only be passed as an argument")
	}
	c.scope.borrows++
	return c.comp.add(&handle{res: t.Resource, rep: v.Rep, scope: c.scope})
}

// resourceBuiltin is the core function of resource.new, .drop or .rep.
func (inst *Instance) resourceBuiltin(it CoreItem) *abi.HostFunc {
	comp := inst.comps[it.Component]
	res := it.Index
	i32 := []abi.ValType{abi.I32}
	switch it.Kind {
	case ItemResourceNew:
		return &abi.HostFunc{Params: i32, Results: i32, Fn: func(_ context.Context, _ abi.Caller, stack []uint64) error {
			stack[0] = uint64(comp.add(&handle{res: res, rep: uint32(stack[0]), own: true}))
			return nil
		}}
	case ItemResourceRep:
		return &abi.HostFunc{Params: i32, Results: i32, Fn: func(_ context.Context, _ abi.Caller, stack []uint64) error {
			return guard(func() { stack[0] = uint64(comp.get(uint32(stack[0]), res).rep) })
		}}
	}
	return &abi.HostFunc{Params: i32, Fn: func(ctx context.Context, _ abi.Caller, stack []uint64) error {
		var h *handle
		if err := guard(func() {
			h = comp.get(uint32(stack[0]), res)
			if h.lends != 0 {
				trap("handle %d cannot be dropped while it is lent", stack[0])
			}
			comp.remove(uint32(stack[0]), res)
		}); err != nil {
			return err
		}
		if !h.own {
			h.scope.borrows--
			return nil
		}
		return inst.destroy(ctx, res, h.rep, comp)
	}}
}

// destroy runs a resource's destructor: the guest's (entering its owner
// unless the owner itself, from, drops it) or the host's Drop.
func (inst *Instance) destroy(ctx context.Context, res int, rep uint32, from *compInstance) error {
	r := inst.g.Resources[res]
	if r.Import != "" {
		if hr := inst.hostRs[res]; hr != nil && hr.Drop != nil {
			return hr.Drop(ctx, rep)
		}
		return nil
	}
	if r.Dtor == nil {
		return nil
	}
	owner := inst.comps[r.Owner]
	f, err := inst.coreFunc(r.Dtor)
	if err != nil {
		return err
	}
	if owner == from {
		_, err = f.Call(ctx, uint64(rep))
		return err
	}
	if owner.busy {
		return &Trap{Msg: fmt.Sprintf("cannot enter component instance %d to run a destructor while it is running", owner.id)}
	}
	owner.busy = true
	defer func() { owner.busy = false }()
	_, err = f.Call(ctx, uint64(rep))
	return err
}

// Drop drops an owning handle the host received from the component (a
// result of type own<T>): the resource's destructor runs. res is the
// graph resource of T (Own types carry it in Type.Resource).
func (inst *Instance) Drop(ctx context.Context, res int, h Handle) error {
	if res < 0 || res >= len(inst.g.Resources) {
		return fmt.Errorf("component: resource %d out of range", res)
	}
	return inst.destroy(ctx, res, h.Rep, nil)
}
