// ort_run.js — a test helper (not part of mote): runs ONNX Runtime
// (onnxruntime-node, found on NODE_PATH) on .npy inputs, and compares
// .npy outputs. Used by tests/onnx/torch_models.sh and, as a module, by
// tests/onnx/real_models.js.
//
//   node ort_run.js run MODEL.onnx OUTDIR NAME=X.npy...   X float32 or int64; writes
//                                                         OUTDIR/OUTPUT.npy (float32)
//   node ort_run.js compare WANT.npy GOT.npy REL          exit 1 unless the shapes match and
//                                                         max |want - got| <= REL * max(1, max |want|)
'use strict';
const fs = require('fs');
const path = require('path');

function readNpy(file) {
    const b = fs.readFileSync(file);
    if (b.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(file + ': not a .npy file');
    const v1 = b[6] === 1;
    const hlen = v1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
    const off = (v1 ? 10 : 12) + hlen;
    const hdr = b.toString('latin1', v1 ? 10 : 12, off);
    const i64 = hdr.includes("'<i8'");
    if (!i64 && !hdr.includes("'<f4'")) throw new Error(file + ': not little-endian float32 or int64');
    if (hdr.includes("'fortran_order': True")) throw new Error(file + ': Fortran order');
    const shape = hdr.match(/\(([^)]*)\)/)[1].split(',').map(s => s.trim()).filter(s => s).map(Number);
    const n = shape.reduce((a, c) => a * c, 1);
    const data = i64 ? new BigInt64Array(n) : new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = i64 ? b.readBigInt64LE(off + 8 * i) : b.readFloatLE(off + 4 * i);
    return {shape, data, type: i64 ? 'int64' : 'float32'};
}

function writeNpy(file, shape, data) {
    let hdr = "{'descr': '<f4', 'fortran_order': False, 'shape': (" +
        shape.join(', ') + (shape.length === 1 ? ',' : '') + '), }';
    hdr += ' '.repeat((64 - ((10 + hdr.length + 1) % 64)) % 64) + '\n';
    const head = Buffer.alloc(10);
    head.write('\x93NUMPY', 0, 'latin1');
    head[6] = 1;
    head.writeUInt16LE(hdr.length, 8);
    fs.writeFileSync(file, Buffer.concat([head, Buffer.from(hdr, 'latin1'),
                                         Buffer.from(Float32Array.from(data).buffer)]));
}

async function run(model, outdir, specs) {
    const ort = require('onnxruntime-node');
    const sess = await ort.InferenceSession.create(model, {intraOpNumThreads: 1});
    const feeds = {};
    for (const s of specs) {
        const eq = s.indexOf('=');
        const x = readNpy(s.slice(eq + 1));
        feeds[s.slice(0, eq)] = new ort.Tensor(x.type, x.data, x.shape);
    }
    const res = await sess.run(feeds);
    fs.mkdirSync(outdir, {recursive: true});
    for (const name of sess.outputNames) {
        const t = res[name];
        writeNpy(path.join(outdir, name.replace(/[^A-Za-z0-9_.-]/g, '_') + '.npy'), t.dims,
                 Float32Array.from(t.data, Number));
    }
}

function compare(wantFile, gotFile, rel) {
    const a = readNpy(wantFile), b = readNpy(gotFile);
    if (a.shape.join(',') !== b.shape.join(',')) {
        console.log('shapes differ: [' + a.shape + '] vs [' + b.shape + ']');
        return 1;
    }
    let diff = 0, big = 0;
    for (let i = 0; i < a.data.length; i++) {
        const d = Math.abs(a.data[i] - b.data[i]);
        if (!(d <= diff)) diff = Number.isNaN(d) ? Infinity : d;
        big = Math.max(big, Math.abs(a.data[i]));
    }
    const tol = rel * Math.max(1, big);
    console.log('max |difference| = ' + diff.toExponential(3) + ' (tolerance ' + tol.toExponential(3) + ')');
    return diff <= tol ? 0 : 1;
}

module.exports = {readNpy, writeNpy, run, compare};
if (require.main !== module) return;

const [cmd, ...args] = process.argv.slice(2);
if (cmd === 'run') {
    run(args[0], args[1], args.slice(2)).catch(e => { console.error(String(e)); process.exit(2); });
} else if (cmd === 'compare') {
    process.exit(compare(args[0], args[1], Number(args[2])));
} else {
    console.error('usage: ort_run.js run MODEL OUTDIR NAME=X.npy... | compare A.npy B.npy REL');
    process.exit(2);
}
