// jco_runner.mjs runs calls on a component through jco-transpile's
// JavaScript output under Node: the reference the differential test
// compares wasmaot against. It reads a job as JSON on stdin:
//   {component, dir, iface, calls: [{fn, params: [type], result: type|null, args: [value]}]}
// and prints one line per call: the result in the test's canonical JSON,
// {"trap": message} for a trap.
//
// Canonical JSON: bool as is; s8…u32 as numbers; s64/u64 as decimal
// strings; f32/f64 as "0x…" bit strings or "nan"; char and string as
// strings; list, tuple and record as arrays; variant, enum, option and
// result as {"c": case, "v": payload}; flags as a number.
import { transpileBytes } from '@bytecodealliance/jco-transpile';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const job = JSON.parse(Buffer.concat(chunks).toString());

const camel = (s) => s.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());

function f32FromBits(s) { const d = new DataView(new ArrayBuffer(4)); d.setUint32(0, Number(BigInt(s))); return d.getFloat32(0); }
function f64FromBits(s) { const d = new DataView(new ArrayBuffer(8)); d.setBigUint64(0, BigInt(s)); return d.getFloat64(0); }
function bitsF32(x) { if (Number.isNaN(x)) return 'nan'; const d = new DataView(new ArrayBuffer(4)); d.setFloat32(0, x); return '0x' + d.getUint32(0).toString(16).padStart(8, '0'); }
function bitsF64(x) { if (Number.isNaN(x)) return 'nan'; const d = new DataView(new ArrayBuffer(8)); d.setFloat64(0, x); return '0x' + d.getBigUint64(0).toString(16).padStart(16, '0'); }

const typedLists = { u8: Uint8Array, s8: Int8Array, u16: Uint16Array, s16: Int16Array, u32: Uint32Array, s32: Int32Array,
  u64: BigUint64Array, s64: BigInt64Array, f32: Float32Array, f64: Float64Array };

function caseName(t, i) {
  if (t.k === 'variant') return t.f[i].n;
  if (t.k === 'enum') return t.l[i];
  if (t.k === 'option') return ['none', 'some'][i];
  return ['ok', 'err'][i];
}

function payloadType(t, i) {
  if (t.k === 'variant') return t.f[i].t;
  if (t.k === 'option') return i === 1 ? t.e : null;
  if (t.k === 'result') return i === 0 ? t.e : t.r;
  return null;
}

// toJS converts canonical JSON to jco's JavaScript representation.
function toJS(t, v) {
  switch (t.k) {
    case 's64': case 'u64': return BigInt(v);
    case 'f32': return v === 'nan' ? NaN : f32FromBits(v);
    case 'f64': return v === 'nan' ? NaN : f64FromBits(v);
    case 'list': {
      const xs = v.map((x) => toJS(t.e, x));
      const T = typedLists[t.e.k];
      return T ? T.from(xs) : xs;
    }
    case 'tuple': return v.map((x, i) => toJS(t.f[i].t, x));
    case 'record': { const o = {}; t.f.forEach((f, i) => { o[camel(f.n)] = toJS(f.t, v[i]); }); return o; }
    case 'flags': { const o = {}; t.l.forEach((l, i) => { o[camel(l)] = (v & (1 << i)) !== 0; }); return o; }
    case 'enum': return t.l[v.c];
    case 'option': {
      const inner = v.c === 1 ? toJS(t.e, v.v) : undefined;
      if (t.e.k === 'option') return v.c === 1 ? { tag: 'some', val: inner } : { tag: 'none' };
      return inner;
    }
    case 'variant': case 'result': {
      const p = payloadType(t, v.c);
      const o = { tag: caseName(t, v.c) };
      if (p) o.val = toJS(p, v.v);
      return o;
    }
    default: return v;
  }
}

// fromJS converts jco's representation back to canonical JSON.
function fromJS(t, x) {
  switch (t.k) {
    case 's64': case 'u64': return BigInt(x).toString();
    case 'f32': return bitsF32(Math.fround(x));
    case 'f64': return bitsF64(x);
    case 'list': return Array.from(x, (e) => fromJS(t.e, e));
    case 'tuple': return t.f.map((f, i) => fromJS(f.t, x[i]));
    case 'record': return t.f.map((f) => fromJS(f.t, x[camel(f.n)]));
    case 'flags': { let m = 0; t.l.forEach((l, i) => { if (x[camel(l)]) m |= (1 << i); }); return m >>> 0; }
    case 'enum': return { c: t.l.indexOf(x) };
    case 'option': {
      if (t.e.k === 'option') return x.tag === 'some' ? { c: 1, v: fromJS(t.e, x.val) } : { c: 0 };
      return x === undefined || x === null ? { c: 0 } : { c: 1, v: fromJS(t.e, x) };
    }
    case 'variant': case 'result': {
      const n = t.k === 'variant' ? t.f.length : 2;
      for (let i = 0; i < n; i++) {
        if (caseName(t, i) === x.tag) {
          const p = payloadType(t, i);
          return p ? { c: i, v: fromJS(p, x.val) } : { c: i };
        }
      }
      throw new Error('unknown case ' + x.tag);
    }
    default: return x;
  }
}

const bytes = await fs.readFile(job.component);
const { files } = await transpileBytes(bytes, { name: 'comp', nodejsCompat: true, noComponentErrorWrapping: false });
for (const [name, data] of Object.entries(files)) {
  const p = path.join(job.dir, name);
  await fs.mkdir(path.dirname(p), { recursive: true });
  await fs.writeFile(p, data);
}
// A trap leaves a component instance unusable; each call after one gets a
// fresh instance (a fresh import of the module).
let generation = 0;
async function instantiate() {
  const mod = await import(pathToFileURL(path.join(job.dir, 'comp.js')).href + '?' + generation++);
  return job.iface ? mod[camel(job.iface)] ?? mod[job.iface] : mod;
}
let api = await instantiate();
for (const call of job.calls) {
  let line;
  try {
    const fn = api[camel(call.fn)];
    if (typeof fn !== 'function') throw new Error('no export ' + call.fn);
    const args = call.args.map((a, i) => toJS(call.params[i], a));
    let res = fn(...args);
    if (call.result && call.result.k === 'result') res = { tag: 'ok', val: res };
    line = call.result ? fromJS(call.result, res) : null;
  } catch (e) {
    if (call.result && call.result.k === 'result' && e && e.constructor && e.constructor.name === 'ComponentError') {
      const p = call.result.r;
      line = p ? { c: 1, v: fromJS(p, e.payload) } : { c: 1 };
    } else {
      line = { trap: String(e && e.message || e) };
      api = await instantiate();
    }
  }
  process.stdout.write(JSON.stringify(line) + '\n');
}
