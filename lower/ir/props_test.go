package ir

import "testing"

// TestProps pins the typed properties of one op of every naming pattern,
// and checks that every numeric, load and store op has them.
func TestProps(t *testing.T) {
	for name, want := range map[string]Props{
		"i32.add":                       {Base: BaseAdd, Shape: ShapeI32},
		"i64.lt_u":                      {Base: BaseLt, Shape: ShapeI64, Sign: Unsigned},
		"f32.trunc":                     {Base: BaseTrunc, Shape: ShapeF32},
		"i32.trunc_f64_s":               {Base: BaseTruncToInt, Shape: ShapeI32, Sign: Signed, From: ShapeF64},
		"i64.trunc_sat_f32_u":           {Base: BaseTruncSat, Shape: ShapeI64, Sign: Unsigned, From: ShapeF32},
		"i64.extend_i32_u":              {Base: BaseExtend, Shape: ShapeI64, Sign: Unsigned, From: ShapeI32},
		"i64.extend16_s":                {Base: BaseSignExtend, Shape: ShapeI64, Sign: Signed, Width: 16},
		"i32.wrap_i64":                  {Base: BaseWrap, Shape: ShapeI32, From: ShapeI64},
		"f64.promote_f32":               {Base: BasePromote, Shape: ShapeF64, From: ShapeF32},
		"f32.reinterpret_i32":           {Base: BaseReinterpret, Shape: ShapeF32, From: ShapeI32},
		"v128.const":                    {Base: BaseConst, Shape: ShapeV128},
		"v128.andnot":                   {Base: BaseAndNot, Shape: ShapeV128},
		"i8x16.extract_lane_u":          {Base: BaseExtractLane, Shape: ShapeI8x16, Sign: Unsigned},
		"i16x8.q15mulr_sat_s":           {Base: BaseQ15MulrSat, Shape: ShapeI16x8, Sign: Signed},
		"i8x16.narrow_i16x8_u":          {Base: BaseNarrow, Shape: ShapeI8x16, Sign: Unsigned, From: ShapeI16x8},
		"i32x4.extadd_pairwise_i16x8_s": {Base: BaseExtAddPairwise, Shape: ShapeI32x4, Sign: Signed, From: ShapeI16x8},
		"i32x4.trunc_sat_f64x2_u_zero":  {Base: BaseTruncSat, Shape: ShapeI32x4, Sign: Unsigned, From: ShapeF64x2},
		"f64x2.convert_low_i32x4_s":     {Base: BaseConvert, Shape: ShapeF64x2, Sign: Signed, From: ShapeI32x4},
		"i32x4.dot_i16x8_s":             {Base: BaseDot, Shape: ShapeI32x4, Sign: Signed, From: ShapeI16x8},
		"i64.load32_s":                  {Base: BaseLoad, Shape: ShapeI64, Sign: Signed, Width: 32},
		"f64.load":                      {Base: BaseLoad, Shape: ShapeF64, Width: 64},
		"v128.load":                     {Base: BaseLoad, Shape: ShapeV128, Width: 128},
		"i32.store16":                   {Base: BaseStore, Shape: ShapeI32, Width: 16},
		"v128.load16x4_u":               {Base: BaseLoadExtend, Shape: ShapeI32x4, Sign: Unsigned, Width: 64},
		"v128.load8_splat":              {Base: BaseLoadSplat, Shape: ShapeI8x16, Width: 8},
		"v128.load64_zero":              {Base: BaseLoadZero, Shape: ShapeI64x2, Width: 64},
		"v128.load32_lane":              {Base: BaseLoadLane, Shape: ShapeI32x4, Width: 32},
		"v128.store8_lane":              {Base: BaseStoreLane, Shape: ShapeI8x16, Width: 8},
	} {
		op, ok := OpByName(name)
		if !ok {
			t.Fatalf("no op %s", name)
		}
		if got := op.Info().Props; got != want {
			t.Errorf("%s: props %+v, want %+v", name, got, want)
		}
	}
	n := 0
	for hi := range opPages {
		if opPages[hi] == nil {
			continue
		}
		for _, info := range opPages[hi] {
			if info == nil {
				continue
			}
			switch info.Kind {
			case KindConst, KindPure, KindLoad, KindStore:
				n++
				if info.Props.Base == BaseNone || info.Props.Shape == ShapeNone {
					t.Errorf("%s: no properties", info.Name)
				}
			default:
				if info.Props != (Props{}) {
					t.Errorf("%s (kind %d) has numeric properties", info.Name, info.Kind)
				}
			}
		}
	}
	if n != 399 { // every numeric, SIMD, load and store instruction of wasm 2.0
		t.Errorf("%d numeric ops, want 399", n)
	}
}
