/* interp: a switch-dispatched stack-machine interpreter running a
 * bytecode program (Collatz step counts folded into a hash). */
#include "common.h"

enum { PUSH, LOAD, STORE, ADD, MUL, AND, SHR, EQ, GT, JZ, JNZ, JMP, HALT };

enum { VI, VX, VSTEPS, VACC, VN, NVARS };

typedef struct { int64_t code[256]; int len; } prog;

static int emit(prog *p, int64_t op) { p->code[p->len] = op; return p->len++; }
static void emit2(prog *p, int64_t op, int64_t arg) { emit(p, op); emit(p, arg); }

static uint64_t run(const int64_t *code, int64_t *vars) {
    int64_t stack[64];
    int sp = 0, pc = 0;
    uint64_t executed = 0;
    for (;;) {
        executed++;
        switch (code[pc++]) {
        case PUSH: stack[sp++] = code[pc++]; break;
        case LOAD: stack[sp++] = vars[code[pc++]]; break;
        case STORE: vars[code[pc++]] = stack[--sp]; break;
        case ADD: sp--; stack[sp - 1] += stack[sp]; break;
        case MUL: sp--; stack[sp - 1] *= stack[sp]; break;
        case AND: sp--; stack[sp - 1] &= stack[sp]; break;
        case SHR: sp--; stack[sp - 1] = (int64_t)((uint64_t)stack[sp - 1] >> stack[sp]); break;
        case EQ: sp--; stack[sp - 1] = stack[sp - 1] == stack[sp]; break;
        case GT: sp--; stack[sp - 1] = stack[sp - 1] > stack[sp]; break;
        case JZ: { int64_t t = code[pc++]; if (stack[--sp] == 0) pc = (int)t; break; }
        case JNZ: { int64_t t = code[pc++]; if (stack[--sp] != 0) pc = (int)t; break; }
        case JMP: pc = (int)code[pc]; break;
        case HALT: return executed;
        default: printf("bad opcode at %d\n", pc - 1); exit(1);
        }
    }
}

int main(int argc, char **argv) {
    int n = scale_arg(argc, argv, 60000);
    prog p = {{0}, 0};
    /* i = 1 */
    emit2(&p, PUSH, 1); emit2(&p, STORE, VI);
    int loop_i = p.len;
    emit2(&p, LOAD, VI); emit2(&p, LOAD, VN); emit(&p, GT);
    emit(&p, JNZ); int fix_end = emit(&p, 0);
    emit2(&p, LOAD, VI); emit2(&p, STORE, VX); emit2(&p, PUSH, 0); emit2(&p, STORE, VSTEPS);
    int loop_x = p.len;
    emit2(&p, LOAD, VX); emit2(&p, PUSH, 1); emit(&p, EQ);
    emit(&p, JNZ); int fix_done = emit(&p, 0);
    emit2(&p, LOAD, VX); emit2(&p, PUSH, 1); emit(&p, AND);
    emit(&p, JZ); int fix_even = emit(&p, 0);
    emit2(&p, LOAD, VX); emit2(&p, PUSH, 3); emit(&p, MUL); emit2(&p, PUSH, 1); emit(&p, ADD); emit2(&p, STORE, VX);
    emit(&p, JMP); int fix_next = emit(&p, 0);
    p.code[fix_even] = p.len;
    emit2(&p, LOAD, VX); emit2(&p, PUSH, 1); emit(&p, SHR); emit2(&p, STORE, VX);
    p.code[fix_next] = p.len;
    emit2(&p, LOAD, VSTEPS); emit2(&p, PUSH, 1); emit(&p, ADD); emit2(&p, STORE, VSTEPS);
    emit2(&p, JMP, loop_x);
    p.code[fix_done] = p.len;
    emit2(&p, LOAD, VACC); emit2(&p, PUSH, 31); emit(&p, MUL); emit2(&p, LOAD, VSTEPS); emit(&p, ADD); emit2(&p, STORE, VACC);
    emit2(&p, LOAD, VI); emit2(&p, PUSH, 1); emit(&p, ADD); emit2(&p, STORE, VI);
    emit2(&p, JMP, loop_i);
    p.code[fix_end] = p.len;
    emit(&p, HALT);

    int64_t vars[NVARS] = {0};
    vars[VN] = n;
    uint64_t executed = run(p.code, vars);
    uint64_t h = mix(1469598103934665603ULL, (uint64_t)vars[VACC]);
    h = mix(h, executed);
    print_checksum("interp", h);
    return 0;
}
