// paddle_ort.js — helper of tests/onnx/paddle_ocr.sh (a test program, not
// part of mote): prepares the PaddleOCR text-direction classifier's input
// from a photo, runs ONNX Runtime on it, and compares two outputs.
//
//   node paddle_ort.js prep PHOTO.bmp X.npy     crop, resize to 3x48x192, normalize
//   node paddle_ort.js run MODEL.onnx X.npy Y.npy   (onnxruntime-node on NODE_PATH)
//   node paddle_ort.js compare A.npy B.npy TOL  exit 1 if max |a - b| > TOL
//
// The input follows PaddleOCR's classifier preprocessing: BGR pixels, the
// crop resized (bilinear, half-pixel centres) to height 48 keeping its
// aspect ratio (width at most 192), x / 255, then (x - 0.5) / 0.5, padded
// with zeros to width 192.
'use strict';
const fs = require('fs');

function writeNpy(path, shape, data) {
    let hdr = "{'descr': '<f4', 'fortran_order': False, 'shape': (" +
        shape.join(', ') + (shape.length === 1 ? ',' : '') + '), }';
    const total = 10 + hdr.length + 1;
    hdr += ' '.repeat((64 - (total % 64)) % 64) + '\n';
    const head = Buffer.alloc(10);
    head.write('\x93NUMPY', 0, 'latin1');
    head[6] = 1; head[7] = 0;
    head.writeUInt16LE(hdr.length, 8);
    const body = Buffer.from(new Float32Array(data).buffer);
    fs.writeFileSync(path, Buffer.concat([head, Buffer.from(hdr, 'latin1'), body]));
}

function readNpy(path) {
    const b = fs.readFileSync(path);
    if (b.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(path + ': not a .npy file');
    const major = b[6];
    const hlen = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
    const off = (major === 1 ? 10 : 12) + hlen;
    const hdr = b.toString('latin1', major === 1 ? 10 : 12, off);
    if (!hdr.includes("'<f4'")) throw new Error(path + ': not float32');
    const shape = hdr.match(/\(([^)]*)\)/)[1].split(',').map(s => s.trim()).filter(s => s).map(Number);
    const n = shape.reduce((a, c) => a * c, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = b.readFloatLE(off + 4 * i);
    return {shape, data};
}

// 24-bit uncompressed BMP -> {w, h, px(y, x, c)} with c in B, G, R order, top row first.
function readBmp(path) {
    const b = fs.readFileSync(path);
    if (b.toString('latin1', 0, 2) !== 'BM') throw new Error(path + ': not a BMP');
    const off = b.readUInt32LE(10), w = b.readInt32LE(18), hs = b.readInt32LE(22);
    if (b.readUInt16LE(28) !== 24 || b.readUInt32LE(30) !== 0) throw new Error(path + ': not 24-bit uncompressed');
    const h = Math.abs(hs), stride = Math.floor((w * 3 + 3) / 4) * 4;
    const px = (y, x, c) => b[off + (hs > 0 ? h - 1 - y : y) * stride + x * 3 + c];
    return {w, h, px};
}

function prep(photo, out) {
    const img = readBmp(photo);
    // a wide strip of the photo, as a text line crop would be
    const cx = 96, cy = Math.min(440, img.h - 80), cw = 320, ch = 80;
    const H = 48, W = 192;
    const rw = Math.min(W, Math.ceil(H * cw / ch));
    const x = new Float32Array(3 * H * W);   // zeros: the padding
    for (let c = 0; c < 3; c++)
        for (let oy = 0; oy < H; oy++)
            for (let ox = 0; ox < rw; ox++) {
                const sy = Math.min(Math.max((oy + 0.5) * ch / H - 0.5, 0), ch - 1);
                const sx = Math.min(Math.max((ox + 0.5) * cw / rw - 0.5, 0), cw - 1);
                const y0 = Math.floor(sy), x0 = Math.floor(sx);
                const y1 = Math.min(y0 + 1, ch - 1), x1 = Math.min(x0 + 1, cw - 1);
                const fy = sy - y0, fx = sx - x0;
                const p = (yy, xx) => img.px(cy + yy, cx + xx, c);
                const v = (1 - fy) * ((1 - fx) * p(y0, x0) + fx * p(y0, x1)) +
                          fy * ((1 - fx) * p(y1, x0) + fx * p(y1, x1));
                x[(c * H + oy) * W + ox] = (v / 255 - 0.5) / 0.5;
            }
    writeNpy(out, [1, 3, H, W], x);
}

async function run(model, xin, out) {
    const ort = require('onnxruntime-node');
    const x = readNpy(xin);
    const sess = await ort.InferenceSession.create(model);
    const feeds = {};
    feeds[sess.inputNames[0]] = new ort.Tensor('float32', x.data, x.shape);
    const res = await sess.run(feeds);
    const y = res[sess.outputNames[0]];
    writeNpy(out, y.dims, y.data);
    console.log('onnxruntime ' + sess.outputNames[0] + ' ' + JSON.stringify(Array.from(y.data)));
}

function compare(a, b, tol) {
    const x = readNpy(a), y = readNpy(b);
    if (x.shape.join(',') !== y.shape.join(',')) {
        console.log('FAIL: shapes differ: ' + x.shape + ' vs ' + y.shape);
        process.exit(1);
    }
    let worst = 0;
    for (let i = 0; i < x.data.length; i++)
        worst = Math.max(worst, Number.isNaN(x.data[i] - y.data[i]) ? Infinity : Math.abs(x.data[i] - y.data[i]));
    console.log('mote    ' + JSON.stringify(Array.from(y.data)));
    console.log('max |difference| = ' + worst.toExponential(3) + ' (tolerance ' + tol + ')');
    process.exit(worst <= tol ? 0 : 1);
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === 'prep') prep(args[0], args[1]);
else if (cmd === 'run') run(args[0], args[1], args[2]).catch(e => { console.log('FAIL: onnxruntime: ' + e.message); process.exit(1); });
else if (cmd === 'compare') compare(args[0], args[1], Number(args[2]));
else { console.log('usage: paddle_ort.js prep|run|compare ...'); process.exit(2); }
