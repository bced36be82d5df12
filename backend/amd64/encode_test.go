package amd64

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/arch/x86/x86asm"
)

// encodeCase is one instruction form: how the encoder emits it and its
// Intel-syntax text, which is both what x86asm must decode it as and what
// llvm-mc assembles to the same bytes.
type encodeCase struct {
	text string
	emit func(a *Asm)
}

// encodeCases covers every method of Asm with registers that exercise the
// REX bits, the SIB byte (rsp/r12 bases), the forced displacement
// (rbp/r13 bases), both displacement sizes and both immediate sizes.
var encodeCases = []encodeCase{
	{"add eax, ecx", func(a *Asm) { a.ALURR(ADD, false, RAX, RCX) }},
	{"sub r9, r15", func(a *Asm) { a.ALURR(SUB, true, R9, R15) }},
	{"xor ebx, ebx", func(a *Asm) { a.ALURR(XOR, false, RBX, RBX) }},
	{"cmp rsi, rdi", func(a *Asm) { a.ALURR(CMP, true, RSI, RDI) }},
	{"and r12d, eax", func(a *Asm) { a.ALURR(AND, false, R12, RAX) }},
	{"or rdx, r10", func(a *Asm) { a.ALURR(OR, true, RDX, R10) }},
	{"cmp rax, qword ptr [r11+0x8]", func(a *Asm) { a.ALURM(CMP, true, RAX, M(R11, 8)) }},
	{"add r8d, dword ptr [rsp+0x100]", func(a *Asm) { a.ALURM(ADD, false, R8, M(RSP, 0x100)) }},
	{"sub qword ptr [rbp+0x0], rcx", func(a *Asm) { a.ALUMR(SUB, true, M(RBP, 0), RCX) }},
	{"add rsp, 0x10", func(a *Asm) { a.ALURI(ADD, true, RSP, 16) }},
	{"sub rsp, 0x1000", func(a *Asm) { a.ALURI(SUB, true, RSP, 0x1000) }},
	{"cmp r13d, -0x1", func(a *Asm) { a.ALURI(CMP, false, R13, -1) }},
	{"and eax, 0x7fffffff", func(a *Asm) { a.ALURI(AND, false, RAX, 0x7fffffff) }},
	{"and ecx, 0x7fffffff", func(a *Asm) { a.ALURI(AND, false, RCX, 0x7fffffff) }},
	{"cmp rax, 0x1000", func(a *Asm) { a.ALURI(CMP, true, RAX, 0x1000) }},
	{"cmp dword ptr [r13+0x0], 0x0", func(a *Asm) { a.ALUMI(CMP, false, M(R13, 0), 0) }},
	{"sub qword ptr [r12+0x8], 0x1", func(a *Asm) { a.ALUMI(SUB, true, M(R12, 8), 1) }},
	{"test r14d, r14d", func(a *Asm) { a.TestRR(false, R14, R14) }},
	{"test rax, rcx", func(a *Asm) { a.TestRR(true, RAX, RCX) }},
	{"mov eax, r15d", func(a *Asm) { a.MovRR(false, RAX, R15) }},
	{"mov r10, rsp", func(a *Asm) { a.MovRR(true, R10, RSP) }},
	{"mov r11d, 0x12345678", func(a *Asm) { a.MovRI32(R11, 0x12345678) }},
	{"mov rax, 0x123456789abcdef0", func(a *Asm) { a.MovRI64(RAX, 0x123456789abcdef0) }},
	{"mov r9, 0x7fffffffffff0000", func(a *Asm) { a.MovRI64(R9, 0x7fffffffffff0000) }},
	{"mov rcx, -0x2", func(a *Asm) { a.MovRIS(RCX, -2) }},
	{"movzx eax, byte ptr [r12+rbx*1+0x10]", func(a *Asm) { a.Load(1, RAX, MI(R12, RBX, 1, 16)) }},
	{"movzx r8d, word ptr [rax+rcx*2]", func(a *Asm) { a.Load(2, R8, MI(RAX, RCX, 2, 0)) }},
	{"mov esi, dword ptr [r14+r9*4-0x4]", func(a *Asm) { a.Load(4, RSI, MI(R14, R9, 4, -4)) }},
	{"mov rdi, qword ptr [rbp+r15*8+0x12345]", func(a *Asm) { a.Load(8, RDI, MI(RBP, R15, 8, 0x12345)) }},
	{"movsx eax, byte ptr [rdi]", func(a *Asm) { a.LoadSX(1, false, RAX, M(RDI, 0)) }},
	{"movsx r10, word ptr [rsi+0x2]", func(a *Asm) { a.LoadSX(2, true, R10, M(RSI, 2)) }},
	{"movsxd rdx, dword ptr [r8+rax*1]", func(a *Asm) { a.LoadSX(4, true, RDX, MI(R8, RAX, 1, 0)) }},
	{"mov byte ptr [rax], sil", func(a *Asm) { a.Store(1, M(RAX, 0), RSI) }},
	{"mov byte ptr [r13+0x0], r9b", func(a *Asm) { a.Store(1, M(R13, 0), R9) }},
	{"mov byte ptr [rcx], dl", func(a *Asm) { a.Store(1, M(RCX, 0), RDX) }},
	{"mov word ptr [rsp+0x2], cx", func(a *Asm) { a.Store(2, M(RSP, 2), RCX) }},
	{"mov dword ptr [r12+rdx*1], r11d", func(a *Asm) { a.Store(4, MI(R12, RDX, 1, 0), R11) }},
	{"mov qword ptr [rsp+0x8], rax", func(a *Asm) { a.Store(8, M(RSP, 8), RAX) }},
	{"mov dword ptr [rax+0x4], 0x5", func(a *Asm) { a.StoreImm32(false, M(RAX, 4), 5) }},
	{"mov qword ptr [rsp], -0x1", func(a *Asm) { a.StoreImm32(true, M(RSP, 0), -1) }},
	{"movsxd rax, ecx", func(a *Asm) { a.Extend(4, true, true, RAX, RCX) }},
	{"mov r8d, r8d", func(a *Asm) { a.Extend(4, false, true, R8, R8) }},
	{"movsx eax, dil", func(a *Asm) { a.Extend(1, true, false, RAX, RDI) }},
	{"movsx r9, bl", func(a *Asm) { a.Extend(1, true, true, R9, RBX) }},
	{"movzx ecx, sil", func(a *Asm) { a.Extend(1, false, false, RCX, RSI) }},
	{"movsx eax, r10w", func(a *Asm) { a.Extend(2, true, false, RAX, R10) }},
	{"movsx rax, cx", func(a *Asm) { a.Extend(2, true, true, RAX, RCX) }},
	{"movzx edx, ax", func(a *Asm) { a.Extend(2, false, false, RDX, RAX) }},
	{"lea rax, [rsp+0x20]", func(a *Asm) { a.Lea(RAX, M(RSP, 0x20)) }},
	{"lea r12, [r13+rdi*8+0x7]", func(a *Asm) { a.Lea(R12, MI(R13, RDI, 8, 7)) }},
	{"imul eax, r11d", func(a *Asm) { a.ImulRR(false, RAX, R11) }},
	{"imul r15, rcx", func(a *Asm) { a.ImulRR(true, R15, RCX) }},
	{"imul esi, r13d, 0xb", func(a *Asm) { a.ImulRRI(false, RSI, R13, 11) }},
	{"imul r9, rbp, 0x927c0", func(a *Asm) { a.ImulRRI(true, R9, RBP, 600000) }},
	{"mul r10", func(a *Asm) { a.UnaryR(MUL, true, R10) }},
	{"mov byte ptr [r14+r8*1], 0x1", func(a *Asm) { a.StoreImm(1, MI(R14, R8, 1, 0), 1) }},
	{"mov word ptr [rsp+0x10], -0x2", func(a *Asm) { a.StoreImm(2, M(RSP, 16), -2) }},
	{"mov dword ptr [r13], 0x7", func(a *Asm) { a.StoreImm(4, M(R13, 0), 7) }},
	{"mov qword ptr [rbp+0x8], -0x10", func(a *Asm) { a.StoreImm(8, M(RBP, 8), -16) }},
	{"lea r8d, [rdi-0x1]", func(a *Asm) { a.LeaW(false, R8, M(RDI, -1)) }},
	{"not ecx", func(a *Asm) { a.UnaryR(NOT, false, RCX) }},
	{"neg r12", func(a *Asm) { a.UnaryR(NEG, true, R12) }},
	{"div r9d", func(a *Asm) { a.UnaryR(DIV, false, R9) }},
	{"idiv rcx", func(a *Asm) { a.UnaryR(IDIV, true, RCX) }},
	{"cdq", func(a *Asm) { a.SignExtendAX(false) }},
	{"cqo", func(a *Asm) { a.SignExtendAX(true) }},
	{"shl eax, cl", func(a *Asm) { a.ShiftCL(SHL, false, RAX) }},
	{"sar r10, cl", func(a *Asm) { a.ShiftCL(SAR, true, R10) }},
	{"shr esi, cl", func(a *Asm) { a.ShiftCL(SHR, false, RSI) }},
	{"rol rbx, cl", func(a *Asm) { a.ShiftCL(ROL, true, RBX) }},
	{"ror r8d, cl", func(a *Asm) { a.ShiftCL(ROR, false, R8) }},
	{"shr rax, 0x3f", func(a *Asm) { a.ShiftI(SHR, true, RAX, 63) }},
	{"shl r11d, 0x2", func(a *Asm) { a.ShiftI(SHL, false, R11, 2) }},
	{"sar r9, 0x5", func(a *Asm) { a.ShiftI(SAR, true, R9, 5) }},
	{"shr r12d, 0x1", func(a *Asm) { a.ShiftI(SHR, false, R12, 1) }},
	{"rol esi, 0x1f", func(a *Asm) { a.ShiftI(ROL, false, RSI, 31) }},
	{"ror rbx, 0x8", func(a *Asm) { a.ShiftI(ROR, true, RBX, 8) }},
	{"bsr eax, ecx", func(a *Asm) { a.Bsr(false, RAX, RCX) }},
	{"bsr r9, r10", func(a *Asm) { a.Bsr(true, R9, R10) }},
	{"bsf edx, r8d", func(a *Asm) { a.Bsf(false, RDX, R8) }},
	{"popcnt rax, r13", func(a *Asm) { a.Popcnt(true, RAX, R13) }},
	{"popcnt ecx, edi", func(a *Asm) { a.Popcnt(false, RCX, RDI) }},
	{"setb sil", func(a *Asm) { a.Setcc(CondB, RSI) }},
	{"setnz al", func(a *Asm) { a.Setcc(CondNE, RAX) }},
	{"setle r9b", func(a *Asm) { a.Setcc(CondLE, R9) }},
	{"setp cl", func(a *Asm) { a.Setcc(CondP, RCX) }},
	{"cmovl r8d, r9d", func(a *Asm) { a.Cmov(CondL, false, R8, R9) }},
	{"cmovz rax, rdx", func(a *Asm) { a.Cmov(CondE, true, RAX, RDX) }},
	{"push rbx", func(a *Asm) { a.Push(RBX) }},
	{"push r15", func(a *Asm) { a.Push(R15) }},
	{"pop r12", func(a *Asm) { a.Pop(R12) }},
	{"pop rbp", func(a *Asm) { a.Pop(RBP) }},
	{"ret", func(a *Asm) { a.Ret() }},
	{"ud2", func(a *Asm) { a.Ud2() }},
	{"call r11", func(a *Asm) { a.CallR(R11) }},
	{"call rax", func(a *Asm) { a.CallR(RAX) }},
	{"call qword ptr [rax+0x18]", func(a *Asm) { a.CallM(M(RAX, 0x18)) }},
	{"jmp rcx", func(a *Asm) { a.JmpR(RCX) }},
	{"addss xmm0, xmm1", func(a *Asm) { a.SSERR(ADDSS, XMM0, XMM0+1) }},
	{"addsd xmm8, xmm15", func(a *Asm) { a.SSERR(ADDSD, XMM0+8, XMM0+15) }},
	{"mulss xmm2, xmm3", func(a *Asm) { a.SSERR(MULSS, XMM0+2, XMM0+3) }},
	{"mulsd xmm2, xmm9", func(a *Asm) { a.SSERR(MULSD, XMM0+2, XMM0+9) }},
	{"subss xmm10, xmm3", func(a *Asm) { a.SSERR(SUBSS, XMM0+10, XMM0+3) }},
	{"subsd xmm1, xmm1", func(a *Asm) { a.SSERR(SUBSD, XMM0+1, XMM0+1) }},
	{"divss xmm4, xmm5", func(a *Asm) { a.SSERR(DIVSS, XMM0+4, XMM0+5) }},
	{"divsd xmm6, xmm7", func(a *Asm) { a.SSERR(DIVSD, XMM0+6, XMM0+7) }},
	{"minss xmm0, xmm12", func(a *Asm) { a.SSERR(MINSS, XMM0, XMM0+12) }},
	{"minsd xmm0, xmm1", func(a *Asm) { a.SSERR(MINSD, XMM0, XMM0+1) }},
	{"maxss xmm0, xmm1", func(a *Asm) { a.SSERR(MAXSS, XMM0, XMM0+1) }},
	{"maxsd xmm13, xmm1", func(a *Asm) { a.SSERR(MAXSD, XMM0+13, XMM0+1) }},
	{"sqrtss xmm0, xmm1", func(a *Asm) { a.SSERR(SQRTSS, XMM0, XMM0+1) }},
	{"sqrtsd xmm0, xmm14", func(a *Asm) { a.SSERR(SQRTSD, XMM0, XMM0+14) }},
	{"cvtss2sd xmm0, xmm1", func(a *Asm) { a.SSERR(CVTSS2SD, XMM0, XMM0+1) }},
	{"cvtsd2ss xmm11, xmm1", func(a *Asm) { a.SSERR(CVTSD2SS, XMM0+11, XMM0+1) }},
	{"ucomiss xmm0, xmm1", func(a *Asm) { a.SSERR(UCOMISS, XMM0, XMM0+1) }},
	{"ucomisd xmm9, xmm1", func(a *Asm) { a.SSERR(UCOMISD, XMM0+9, XMM0+1) }},
	{"andps xmm0, xmm1", func(a *Asm) { a.SSERR(ANDPS, XMM0, XMM0+1) }},
	{"andpd xmm0, xmm1", func(a *Asm) { a.SSERR(ANDPD, XMM0, XMM0+1) }},
	{"andnps xmm0, xmm1", func(a *Asm) { a.SSERR(ANDNPS, XMM0, XMM0+1) }},
	{"orps xmm0, xmm1", func(a *Asm) { a.SSERR(ORPS, XMM0, XMM0+1) }},
	{"orpd xmm0, xmm1", func(a *Asm) { a.SSERR(ORPD, XMM0, XMM0+1) }},
	{"xorps xmm0, xmm1", func(a *Asm) { a.SSERR(XORPS, XMM0, XMM0+1) }},
	{"xorpd xmm5, xmm5", func(a *Asm) { a.SSERR(XORPD, XMM0+5, XMM0+5) }},
	{"movaps xmm3, xmm12", func(a *Asm) { a.SSERR(MOVAPS, XMM0+3, XMM0+12) }},
	{"movss xmm2, dword ptr [rbp+0x8]", func(a *Asm) { a.LoadXMM(4, XMM0+2, M(RBP, 8)) }},
	{"movsd xmm10, qword ptr [rsp+0x10]", func(a *Asm) { a.LoadXMM(8, XMM0+10, M(RSP, 16)) }},
	{"movdqu xmm1, xmmword ptr [r12+rax*1]", func(a *Asm) { a.LoadXMM(16, XMM0+1, MI(R12, RAX, 1, 0)) }},
	{"movss dword ptr [rax], xmm9", func(a *Asm) { a.StoreXMM(4, M(RAX, 0), XMM0+9) }},
	{"movsd qword ptr [rsp+0x8], xmm0", func(a *Asm) { a.StoreXMM(8, M(RSP, 8), XMM0) }},
	{"movdqu xmmword ptr [rsp+0x20], xmm15", func(a *Asm) { a.StoreXMM(16, M(RSP, 32), XMM0+15) }},
	{"movd xmm0, eax", func(a *Asm) { a.MovGX(false, XMM0, RAX) }},
	{"movq xmm9, r10", func(a *Asm) { a.MovGX(true, XMM0+9, R10) }},
	{"movd ecx, xmm3", func(a *Asm) { a.MovXG(false, RCX, XMM0+3) }},
	{"movq r8, xmm12", func(a *Asm) { a.MovXG(true, R8, XMM0+12) }},
	{"cvtsi2ss xmm0, eax", func(a *Asm) { a.CvtSI2F(false, false, XMM0, RAX) }},
	{"cvtsi2sd xmm8, r9", func(a *Asm) { a.CvtSI2F(true, true, XMM0+8, R9) }},
	{"cvttss2si eax, xmm1", func(a *Asm) { a.CvttF2SI(false, false, RAX, XMM0+1) }},
	{"cvttsd2si r11, xmm10", func(a *Asm) { a.CvttF2SI(true, true, R11, XMM0+10) }},
	{"roundss xmm0, xmm1, 0xb", func(a *Asm) { a.Round(false, XMM0, XMM0+1, RoundTrunc) }},
	{"roundsd xmm3, xmm9, 0x9", func(a *Asm) { a.Round(true, XMM0+3, XMM0+9, RoundFloor) }},
}

func (c encodeCase) bytes() []byte {
	var a Asm
	c.emit(&a)
	return a.Code
}

// TestEncodeDecodes decodes every form back with x86asm: one instruction
// that spans all the bytes and reads as the expected text.
func TestEncodeDecodes(t *testing.T) {
	for _, c := range encodeCases {
		code := c.bytes()
		inst, err := x86asm.Decode(code, 64)
		if err != nil {
			t.Errorf("%s: % x does not decode: %v", c.text, code, err)
			continue
		}
		if inst.Len != len(code) {
			t.Errorf("%s: % x decodes as %d bytes", c.text, code, inst.Len)
		}
		if got := x86asm.IntelSyntax(inst, 0, nil); normalise(got) != normalise(c.text) {
			t.Errorf("% x decodes as %q, want %q", code, got, c.text)
		}
	}
}

// TestEncodeMatchesLLVM assembles the expected texts with llvm-mc and
// requires the encoder's bytes to be exactly LLVM's.
func TestEncodeMatchesLLVM(t *testing.T) {
	mc := findLLVMMC()
	if mc == "" {
		t.Skip("llvm-mc (package llvm-14) is not installed, so the encodings cannot be compared with LLVM's")
	}
	var src strings.Builder
	for _, c := range encodeCases {
		src.WriteString(c.text + "\n")
	}
	path := filepath.Join(t.TempDir(), "forms.s")
	if err := os.WriteFile(path, []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(mc, "-triple=x86_64", "-x86-asm-syntax=intel", "-show-encoding", path).CombinedOutput()
	if err != nil {
		t.Fatalf("llvm-mc: %v\n%s", err, out)
	}
	encs := parseEncodings(t, string(out))
	if len(encs) != len(encodeCases) {
		t.Fatalf("llvm-mc printed %d encodings for %d forms:\n%s", len(encs), len(encodeCases), out)
	}
	for i, c := range encodeCases {
		if got := c.bytes(); !bytes.Equal(got, encs[i]) {
			t.Errorf("%s: encoder % x, llvm-mc % x", c.text, got, encs[i])
		}
	}
}

var encodingLine = regexp.MustCompile(`# encoding: \[([^\]]*)\]`)

func parseEncodings(t *testing.T, out string) [][]byte {
	var encs [][]byte
	for _, m := range encodingLine.FindAllStringSubmatch(out, -1) {
		var b []byte
		for _, f := range strings.Split(m[1], ",") {
			v, err := strconv.ParseUint(strings.TrimSpace(f), 0, 8)
			if err != nil {
				t.Fatalf("llvm-mc encoding %q: %v", m[1], err)
			}
			b = append(b, byte(v))
		}
		encs = append(encs, b)
	}
	return encs
}

func findLLVMMC() string {
	for _, name := range []string{"llvm-mc-14", "llvm-mc"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// normalise makes x86asm's and the hand-written spelling comparable:
// no spaces, "+0x0]" displacements dropped, "jz/jnz/setz" aliases.
func normalise(s string) string {
	s = strings.ReplaceAll(strings.ToLower(s), " ", "")
	s = strings.ReplaceAll(s, "+0x0]", "]")
	s = strings.ReplaceAll(s, ",ptr[", ",[") // x86asm's lea operand
	s = strings.ReplaceAll(s, "*1]", "]")
	s = strings.ReplaceAll(s, "*1+", "+")
	s = strings.NewReplacer("setnz", "setne", "cmovz", "cmove", "setz", "sete").Replace(s)
	return s
}

func TestCondMirror(t *testing.T) {
	for _, p := range [][2]Cond{{CondE, CondE}, {CondNE, CondNE}, {CondL, CondG}, {CondLE, CondGE}, {CondB, CondA}, {CondBE, CondAE}} {
		if p[0].Mirror() != p[1] || p[1].Mirror() != p[0] {
			t.Errorf("%x and %x are not each other's mirror", p[0], p[1])
		}
	}
}

func TestCondInvert(t *testing.T) {
	for _, p := range [][2]Cond{{CondE, CondNE}, {CondB, CondAE}, {CondL, CondGE}, {CondLE, CondG}, {CondP, CondNP}, {CondBE, CondA}} {
		if p[0].Invert() != p[1] || p[1].Invert() != p[0] {
			t.Errorf("%x and %x are not each other's inverse", p[0], p[1])
		}
	}
	if fmt.Sprint(XMM0+3) != "xmm3" || fmt.Sprint(R12) != "r12" {
		t.Errorf("register names: %v %v", XMM0+3, R12)
	}
}
