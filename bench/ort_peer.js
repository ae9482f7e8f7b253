// bench/ort_peer.js — helper of bench/ort.sh: the ONNX Runtime side of the
// mote-vs-ONNX-Runtime benchmark (onnxruntime-node, found on NODE_PATH), plus
// the small .npy chores the shell script cannot do. It is a benchmark helper,
// not a test, and not part of mote.
//
// X below is one .npy file for a model with one input, or NAME=FILE.npy,...
// (comma-separated, float32 or int64) giving every input by name.
//
//   node ort_peer.js run MODEL.onnx X.npy Y.npy
//       one inference (1 intra-op thread); writes the first output to Y.npy
//   node ort_peer.js time MODEL.onnx X.npy THREADS RUNS WARMUP
//       intraOpNumThreads THREADS, interOpNumThreads 1, sequential
//       execution, graph optimizations at their default (all); WARMUP
//       untimed runs, then RUNS timed ones; prints one line
//       "median=… min=… p10=… p90=… max=…" in milliseconds
//   node ort_peer.js profile MODEL.onnx X.npy THREADS RUNS WARMUP DIR
//       as `time`, with ONNX Runtime's profiler on (trace written in DIR);
//       prints, per op type of the optimized graph, the node count and the
//       median over the timed runs of the op type's summed kernel time (us),
//       then the median model_run time (profiled, so a little slower)
//   node ort_peer.js compare REF.npy GOT.npy RELTOL
//       prints max |REF - GOT| and max |REF|; exits 1 when the first
//       exceeds RELTOL * max(1, max |REF|), or when the shapes differ
//   node ort_peer.js optable MOTE.txt[,MOTE2.txt...] ORT.txt[,ORT2.txt...]
//       joins mote profile's "per op type" table (MOTE.txt) with the
//       `profile` table above (ORT.txt): a markdown table per op type of
//       both times (us), each one's share of its own sum, mote/ORT, and
//       the range of that ratio over rounds; op types that either runtime
//       fuses into another are joined (FAMILY below: FusedConv is Conv;
//       MatMul, Gemm and their fused forms are one row;
//       SkipLayerNormalization is LayerNormalization); If, Loop and Scan
//       are left out of ONNX Runtime's side (their subgraphs' nodes are
//       profiled on their own). With several files per side (one per
//       round, the same number on both), each op type's time is the median
//       over rounds (0 in a round whose table lacks it), mote/ORT is the
//       ratio of those medians, and the range is that of the rounds' own
//       ratios: one profile caught in a burst of load moves neither
//   node ort_peer.js randn OUT.npy SEED D0 D1 ...
//       a float32 array of normal samples from a seeded generator
//
// Each timed run is the wall time (process.hrtime) around `await
// session.run(feeds)`: it includes what the node binding adds (wrapping the
// input, creating the output tensor), a few microseconds per call.
'use strict';
const fs = require('fs');

// ------------------------------------------------------------------- .npy

function loadNpy(path) {
    const buf = fs.readFileSync(path);
    if (buf.length < 10 || buf.toString('latin1', 0, 6) !== '\x93NUMPY')
        throw new Error(path + ' is not a .npy file');
    const v1 = buf[6] === 1;
    const start = v1 ? 10 : 12;
    const len = v1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
    const header = buf.toString('latin1', start, start + len);
    const i64 = /'descr':\s*'<i8'/.test(header);
    if (!i64 && !/'descr':\s*'<f4'/.test(header))
        throw new Error(path + ': only little-endian float32 and int64 are handled');
    if (/'fortran_order':\s*True/.test(header)) throw new Error(path + ': Fortran order is not handled');
    const m = header.match(/'shape':\s*\(([^)]*)\)/);
    if (!m) throw new Error(path + ': no shape in the header');
    const shape = m[1].split(',').map(t => t.trim()).filter(t => t.length).map(Number);
    const count = shape.reduce((p, d) => p * d, 1);
    const body = start + len, size = i64 ? 8 : 4;
    if (buf.length < body + size * count) throw new Error(path + ': truncated');
    // copy into an aligned array (the body offset need not be a multiple of 4)
    const data = i64 ? new BigInt64Array(count) : new Float32Array(count);
    new Uint8Array(data.buffer).set(buf.subarray(body, body + size * count));
    return {shape, data, type: i64 ? 'int64' : 'float32'};
}

function saveNpy(path, shape, data) {
    const dims = shape.length === 1 ? shape[0] + ',' : shape.join(', ');
    let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + '), }';
    // magic (6) + version (2) + length (2) + header + '\n', padded to 64
    const pad = 63 - ((10 + header.length) % 64);
    header += ' '.repeat(pad) + '\n';
    const pre = Buffer.alloc(10);
    pre.write('\x93NUMPY', 0, 'latin1');
    pre[6] = 1;
    pre[7] = 0;
    pre.writeUInt16LE(header.length, 8);
    const f = Float32Array.from(data);
    fs.writeFileSync(path, Buffer.concat([pre, Buffer.from(header, 'latin1'),
                                          Buffer.from(f.buffer, f.byteOffset, f.byteLength)]));
}

// ------------------------------------------------------------ ONNX Runtime

async function openSession(model, threads, profileDir) {
    const ort = require('onnxruntime-node');
    const opts = {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        logSeverityLevel: 3,        // errors only: not the unused-initializer warnings
    };
    if (profileDir) {
        opts.enableProfiling = true;
        opts.profileFilePrefix = require('path').join(profileDir, 'ort');
    }
    const sess = await ort.InferenceSession.create(model, opts);
    return {ort, sess};
}

// X is one .npy path (for a model with one input) or a comma-separated
// list NAME=FILE.npy,... naming every input (float32 or int64).
function feedsFor(ort, sess, x) {
    const feeds = {};
    if (!x.includes('=')) {
        if (sess.inputNames.length !== 1)
            throw new Error('the model has inputs ' + sess.inputNames.join(', ') + ': name them (NAME=FILE,...)');
        const t = loadNpy(x);
        feeds[sess.inputNames[0]] = new ort.Tensor(t.type, t.data, t.shape);
        return feeds;
    }
    for (const spec of x.split(',')) {
        const eq = spec.lastIndexOf('=');
        const t = loadNpy(spec.slice(eq + 1));
        feeds[spec.slice(0, eq)] = new ort.Tensor(t.type, t.data, t.shape);
    }
    for (const name of sess.inputNames)
        if (!(name in feeds)) throw new Error('no file given for the input ' + name);
    return feeds;
}

async function runOnce(model, xPath, yPath) {
    const {ort, sess} = await openSession(model, 1);
    const out = await sess.run(feedsFor(ort, sess, xPath));
    const y = out[sess.outputNames[0]];
    saveNpy(yPath, y.dims, y.data);
}

function pick(sorted, q) {
    // nearest rank, as bench/models and bench/peer_torch.py do
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function timeRuns(model, xPath, threads, runs, warmup) {
    const {ort, sess} = await openSession(model, threads);
    const feeds = feedsFor(ort, sess, xPath);
    for (let i = 0; i < warmup; i++) await sess.run(feeds);
    const ms = [];
    for (let i = 0; i < runs; i++) {
        const t0 = process.hrtime.bigint();
        await sess.run(feeds);
        ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    ms.sort((a, b) => a - b);
    const n = ms.length;
    const median = n % 2 ? ms[(n - 1) / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
    const f = v => v.toFixed(3);
    console.log('median=' + f(median) + ' min=' + f(ms[0]) + ' p10=' + f(pick(ms, 0.1)) +
                ' p90=' + f(ms[n - 1 - Math.floor(n / 10)]) + ' max=' + f(ms[n - 1]));
}

function median(v) {
    const s = v.slice().sort((a, b) => a - b), n = s.length;
    return n === 0 ? 0 : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

async function profileRuns(model, xPath, threads, runs, warmup, dir) {
    const {ort, sess} = await openSession(model, threads, dir);
    const feeds = feedsFor(ort, sess, xPath);
    for (let i = 0; i < warmup + runs; i++) await sess.run(feeds);
    await sess.endProfiling();
    const files = fs.readdirSync(dir).filter(f => f.startsWith('ort') && f.endsWith('.json'));
    if (files.length !== 1) throw new Error('expected one profile in ' + dir + ', found ' + files.length);
    const events = JSON.parse(fs.readFileSync(require('path').join(dir, files[0]), 'utf8'));
    const runsEv = events.filter(e => e.cat === 'Session' && e.name === 'model_run')
        .sort((a, b) => a.ts - b.ts).slice(warmup);
    const nodes = events.filter(e => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
    const perOp = new Map();              // op -> {names: Set, times: [per run]}
    runsEv.forEach((r, i) => {
        for (const e of nodes) {
            if (e.ts < r.ts || e.ts > r.ts + r.dur) continue;
            const op = e.args.op_name;
            if (!perOp.has(op)) perOp.set(op, {names: new Set(), times: new Array(runsEv.length).fill(0)});
            const o = perOp.get(op);
            o.names.add(e.name);
            o.times[i] += e.dur;
        }
    });
    const rows = [...perOp].map(([op, o]) => [op, o.names.size, median(o.times)]);
    const total = rows.reduce((t, r) => t + r[2], 0);
    console.log('  op                 nodes     time us   share');
    for (const [op, n, us] of rows.sort((a, b) => b[2] - a[2]))
        console.log('  ' + op.padEnd(18) + String(n).padStart(6) + us.toFixed(1).padStart(12) +
                    ((total > 0 ? 100 * us / total : 0).toFixed(1) + '%').padStart(8));
    console.log('sum of op types: ' + total.toFixed(1) + ' us; profiled model_run, median of ' +
                runsEv.length + ': ' + median(runsEv.map(r => r.dur)).toFixed(1) + ' us');
}

// ------------------------------------------------------------------ checks

function compare(refPath, gotPath, relTol) {
    const r = loadNpy(refPath), g = loadNpy(gotPath);
    if (r.shape.join('x') !== g.shape.join('x')) {
        console.log('shapes differ: ' + r.shape.join('x') + ' (ONNX Runtime) vs ' + g.shape.join('x') + ' (mote)');
        process.exit(1);
    }
    let diff = 0, mag = 0;
    for (let i = 0; i < r.data.length; i++) {
        const d = Math.abs(r.data[i] - g.data[i]);
        diff = Math.max(diff, Number.isNaN(d) ? Infinity : d);
        mag = Math.max(mag, Math.abs(r.data[i]));
    }
    const limit = relTol * Math.max(1, mag);
    console.log('maxdiff=' + diff.toExponential(2) + ' maxref=' + mag.toPrecision(4) +
                ' limit=' + limit.toExponential(2));
    process.exit(diff <= limit ? 0 : 1);
}

// mote profile's lines "  OP NODES US SHARE% ..." and ours "  OP NODES US SHARE%"
function readOpTable(path) {
    const m = new Map();
    for (const line of fs.readFileSync(path, 'utf8').split('\n')) {
        const f = line.trim().split(/\s+/);
        if (f.length < 4 || !/^\d+$/.test(f[1]) || !/^[0-9.]+$/.test(f[2]) || !/%$/.test(f[3])) continue;
        m.set(f[0], (m.get(f[0]) || 0) + Number(f[2]));
    }
    return m;
}

// Op types joined under one name on both sides: each runtime turns MatMul +
// Add into Gemm (or the reverse) and fuses activations into its own kernels.
const FAMILY = {
    FusedConv: 'Conv', NhwcFusedConv: 'Conv',
    MatMul: 'MatMul/Gemm', Gemm: 'MatMul/Gemm', FusedMatMul: 'MatMul/Gemm', FusedGemm: 'MatMul/Gemm',
    SkipLayerNormalization: 'LayerNormalization', Upsample: 'Resize',
};
// ONNX Runtime profiles a control-flow node's subgraph nodes as well as the
// node itself: the node's own time would count them twice
const CONTROL_FLOW = new Set(['If', 'Loop', 'Scan']);

// one side's rounds: per op type (families joined), the times of each round
function opRounds(paths, dropControlFlow) {
    const rounds = paths.map(path => {
        const t = new Map();
        for (const [op, us] of readOpTable(path)) {
            const k = FAMILY[op] || op;
            if (!(dropControlFlow && CONTROL_FLOW.has(k))) t.set(k, (t.get(k) || 0) + us);
        }
        return t;
    });
    const ops = new Set(rounds.flatMap(t => [...t.keys()]));
    const perOp = new Map();
    for (const op of ops) perOp.set(op, rounds.map(t => t.get(op) || 0));
    return perOp;
}

function opTable(motePaths, ortPaths) {
    if (motePaths.length !== ortPaths.length)
        throw new Error('optable: ' + motePaths.length + ' mote table(s) but ' + ortPaths.length +
                        ' ONNX Runtime table(s); give one of each per round');
    const mr = opRounds(motePaths, false), or = opRounds(ortPaths, true);
    const mote = new Map([...mr].map(([op, v]) => [op, median(v)]));
    const ort = new Map([...or].map(([op, v]) => [op, median(v)]));
    const mSum = [...mote.values()].reduce((a, b) => a + b, 0);
    const oSum = [...ort.values()].reduce((a, b) => a + b, 0);
    const ops = [...new Set([...mote.keys(), ...ort.keys()])]
        .sort((a, b) => (mote.get(b) || 0) - (mote.get(a) || 0) || (ort.get(b) || 0) - (ort.get(a) || 0));
    const several = motePaths.length > 1;
    console.log('| op type | mote us | mote share | ORT us | ORT share | mote/ORT |' + (several ? ' range |' : ''));
    console.log('|---|---|---|---|---|---|' + (several ? '---|' : ''));
    const pct = (v, t) => (t > 0 ? (100 * v / t).toFixed(1) : '0.0') + '%';
    for (const op of ops) {
        const a = mote.get(op), b = ort.get(op);
        let range = '-';
        if (mr.has(op) && or.has(op)) {
            const r = mr.get(op).map((m, i) => (or.get(op)[i] > 0 ? m / or.get(op)[i] : NaN))
                .filter(x => Number.isFinite(x));
            if (r.length) range = Math.min(...r).toFixed(2) + '-' + Math.max(...r).toFixed(2);
        }
        console.log('| ' + op + ' | ' + (a === undefined ? '-' : a.toFixed(1)) + ' | ' +
                    (a === undefined ? '-' : pct(a, mSum)) + ' | ' + (b === undefined ? '-' : b.toFixed(1)) +
                    ' | ' + (b === undefined ? '-' : pct(b, oSum)) + ' | ' +
                    (a !== undefined && b !== undefined && b > 0 ? (a / b).toFixed(2) : '-') + ' |' +
                    (several ? ' ' + range + ' |' : ''));
    }
    console.log('| (sum) | ' + mSum.toFixed(1) + ' | | ' + oSum.toFixed(1) + ' | | ' +
                (oSum > 0 ? (mSum / oSum).toFixed(2) : '-') + ' |' + (several ? ' |' : ''));
}

// Box-Muller on a 32-bit linear congruential generator: reproducible
// everywhere, which is all a benchmark input needs.
function randn(out, seed, shape) {
    let s = seed >>> 0;
    const uniform = () => {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        return (s + 0.5) / 4294967296;
    };
    const n = shape.reduce((p, d) => p * d, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++)
        data[i] = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    saveNpy(out, shape, data);
}

// -------------------------------------------------------------------- main

function usage() {
    console.error('usage: ort_peer.js run MODEL X Y | time MODEL X THREADS RUNS WARMUP | ' +
                  'profile MODEL X THREADS RUNS WARMUP DIR | compare REF GOT RELTOL | optable MOTE[,...] ORT[,...] | randn OUT SEED DIMS...');
    process.exit(2);
}

async function main() {
    const [cmd, ...a] = process.argv.slice(2);
    if (cmd === 'run' && a.length === 3) await runOnce(a[0], a[1], a[2]);
    else if (cmd === 'time' && a.length === 5) await timeRuns(a[0], a[1], +a[2], +a[3], +a[4]);
    else if (cmd === 'profile' && a.length === 6) await profileRuns(a[0], a[1], +a[2], +a[3], +a[4], a[5]);
    else if (cmd === 'compare' && a.length === 3) compare(a[0], a[1], +a[2]);
    else if (cmd === 'optable' && a.length === 2) opTable(a[0].split(','), a[1].split(','));
    else if (cmd === 'randn' && a.length >= 3) randn(a[0], +a[1], a.slice(2).map(Number));
    else usage();
}

main().catch(e => {
    console.error('ort_peer.js: ' + (e && e.message ? e.message : e));
    process.exit(1);
});
