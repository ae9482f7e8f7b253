// bench/ort_peer.js — helper of bench/ort.sh: the ONNX Runtime side of the
// mote-vs-ONNX-Runtime benchmark (onnxruntime-node, found on NODE_PATH), plus
// the small .npy chores the shell script cannot do. It is a benchmark helper,
// not a test, and not part of mote.
//
//   node ort_peer.js run MODEL.onnx X.npy Y.npy
//       one inference (1 intra-op thread); writes the first output to Y.npy
//   node ort_peer.js time MODEL.onnx X.npy THREADS RUNS WARMUP
//       intraOpNumThreads THREADS, interOpNumThreads 1, sequential
//       execution, graph optimizations at their default (all); WARMUP
//       untimed runs, then RUNS timed ones; prints one line
//       "median=… min=… p10=… p90=… max=…" in milliseconds
//   node ort_peer.js compare REF.npy GOT.npy RELTOL
//       prints max |REF - GOT| and max |REF|; exits 1 when the first
//       exceeds RELTOL * max(1, max |REF|), or when the shapes differ
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
    if (!/'descr':\s*'<f4'/.test(header)) throw new Error(path + ': only little-endian float32 is handled');
    if (/'fortran_order':\s*True/.test(header)) throw new Error(path + ': Fortran order is not handled');
    const m = header.match(/'shape':\s*\(([^)]*)\)/);
    if (!m) throw new Error(path + ': no shape in the header');
    const shape = m[1].split(',').map(t => t.trim()).filter(t => t.length).map(Number);
    const count = shape.reduce((p, d) => p * d, 1);
    const body = start + len;
    if (buf.length < body + 4 * count) throw new Error(path + ': truncated');
    // copy into an aligned array (the body offset need not be a multiple of 4)
    const data = new Float32Array(count);
    new Uint8Array(data.buffer).set(buf.subarray(body, body + 4 * count));
    return {shape, data};
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

async function openSession(model, threads) {
    const ort = require('onnxruntime-node');
    const sess = await ort.InferenceSession.create(model, {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
    });
    if (sess.inputNames.length !== 1)
        throw new Error(model + ': expected one input, found ' + sess.inputNames.join(', '));
    return {ort, sess};
}

function feedsFor(ort, sess, x) {
    const feeds = {};
    feeds[sess.inputNames[0]] = new ort.Tensor('float32', x.data, x.shape);
    return feeds;
}

async function runOnce(model, xPath, yPath) {
    const {ort, sess} = await openSession(model, 1);
    const out = await sess.run(feedsFor(ort, sess, loadNpy(xPath)));
    const y = out[sess.outputNames[0]];
    saveNpy(yPath, y.dims, y.data);
}

function pick(sorted, q) {
    // nearest rank, as bench/models and bench/peer_torch.py do
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function timeRuns(model, xPath, threads, runs, warmup) {
    const {ort, sess} = await openSession(model, threads);
    const feeds = feedsFor(ort, sess, loadNpy(xPath));
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
                  'compare REF GOT RELTOL | randn OUT SEED DIMS...');
    process.exit(2);
}

async function main() {
    const [cmd, ...a] = process.argv.slice(2);
    if (cmd === 'run' && a.length === 3) await runOnce(a[0], a[1], a[2]);
    else if (cmd === 'time' && a.length === 5) await timeRuns(a[0], a[1], +a[2], +a[3], +a[4]);
    else if (cmd === 'compare' && a.length === 3) compare(a[0], a[1], +a[2]);
    else if (cmd === 'randn' && a.length >= 3) randn(a[0], +a[1], a.slice(2).map(Number));
    else usage();
}

main().catch(e => {
    console.error('ort_peer.js: ' + (e && e.message ? e.message : e));
    process.exit(1);
});
