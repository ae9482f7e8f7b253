// real_models.js — a test helper (not part of mote) for
// tests/onnx/real_models.sh: prepares model inputs from images and checks
// results at the task level (the text read, the text boxes found).
//
//   node real_models.js prep-rec IMG.ppm X.npy      PP-OCR recognizer input: BGR, (x/255 - 0.5)/0.5, NCHW
//   node real_models.js prep-det IMG.ppm X.npy      PP-OCR detector input: BGR, ImageNet mean/std, NCHW
//   node real_models.js prep-nhwc IMG.bmp W H C X.npy  nearest resize to W x H, RGB, x/127.5 - 1, NHWC;
//                                                   C = 4 adds an alpha channel of 1 (M-LSD)
//   node real_models.js ctc A.npy B.npy KEYS.txt    greedy CTC decode of two [1, T, K] outputs: same text?
//   node real_models.js boxes A.npy B.npy THRESH    the boxes (4-connected regions above THRESH) of two
//                                                   [1, 1, H, W] probability maps: the same boxes?
'use strict';
const fs = require('fs');
const {readNpy, writeNpy} = require('./ort_run.js');

// Binary PPM (P6, maxval 255) -> {w, h, px(y, x, c)} with c in R, G, B order.
function readPpm(path) {
    const b = fs.readFileSync(path);
    const head = b.toString('latin1', 0, 64).match(/^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/);
    if (!head || head[3] !== '255') throw new Error(path + ': not a binary 8-bit PPM');
    const w = +head[1], h = +head[2], off = head[0].length;
    return {w, h, px: (y, x, c) => b[off + (y * w + x) * 3 + c]};
}

// 24-bit uncompressed BMP -> the same, R, G, B order.
function readBmp(path) {
    const b = fs.readFileSync(path);
    if (b.toString('latin1', 0, 2) !== 'BM') throw new Error(path + ': not a BMP');
    const off = b.readUInt32LE(10), w = b.readInt32LE(18), hs = b.readInt32LE(22);
    if (b.readUInt16LE(28) !== 24 || b.readUInt32LE(30) !== 0) throw new Error(path + ': not 24-bit uncompressed');
    const h = Math.abs(hs), stride = Math.floor((w * 3 + 3) / 4) * 4;
    return {w, h, px: (y, x, c) => b[off + (hs > 0 ? h - 1 - y : y) * stride + x * 3 + (2 - c)]};
}

// NCHW in BGR channel order, f(v, c) normalizing channel c (0 = B).
function nchwBgr(img, f) {
    const x = new Float32Array(3 * img.h * img.w);
    for (let c = 0; c < 3; c++)
        for (let y = 0; y < img.h; y++)
            for (let i = 0; i < img.w; i++)
                x[(c * img.h + y) * img.w + i] = f(img.px(y, i, 2 - c), c);
    return x;
}

function prepNhwc(file, W, H, C, out) {
    const img = readBmp(file);
    const x = new Float32Array(H * W * C);
    for (let y = 0; y < H; y++)
        for (let i = 0; i < W; i++) {
            const sy = Math.min(img.h - 1, Math.floor((y + 0.5) * img.h / H));
            const sx = Math.min(img.w - 1, Math.floor((i + 0.5) * img.w / W));
            for (let c = 0; c < C; c++)
                x[(y * W + i) * C + c] = c < 3 ? img.px(sy, sx, c) / 127.5 - 1 : 1;
        }
    writeNpy(out, [1, H, W, C], x);
}

function ctcText(file, keys) {
    const {shape, data} = readNpy(file);
    const T = shape[1], K = shape[2];
    let text = '', prev = -1;
    for (let t = 0; t < T; t++) {
        let best = 0;
        for (let k = 1; k < K; k++) if (data[t * K + k] > data[t * K + best]) best = k;
        if (best !== 0 && best !== prev) text += best - 1 < keys.length ? keys[best - 1] : ' ';
        prev = best;
    }
    return text;
}

// Bounding boxes [x0, y0, x1, y1] of the 4-connected regions of p > th.
function boxes(file, th) {
    const {shape, data} = readNpy(file);
    const H = shape[2], W = shape[3];
    const seen = new Uint8Array(H * W), out = [];
    for (let s = 0; s < H * W; s++) {
        if (seen[s] || !(data[s] > th)) continue;
        const stack = [s];
        seen[s] = 1;
        let x0 = W, y0 = H, x1 = -1, y1 = -1, n = 0;
        while (stack.length) {
            const p = stack.pop(), y = Math.floor(p / W), x = p % W;
            n++;
            x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
            for (const q of [p - 1, p + 1, p - W, p + W]) {
                if (q < 0 || q >= H * W || (Math.abs((q % W) - x) > 1) || seen[q] || !(data[q] > th)) continue;
                seen[q] = 1;
                stack.push(q);
            }
        }
        if (n >= 4) out.push([x0, y0, x1, y1]);   // PaddleOCR drops tiny regions too
    }
    return out;
}

const [cmd, ...a] = process.argv.slice(2);
if (cmd === 'prep-rec') {
    const img = readPpm(a[0]);
    writeNpy(a[1], [1, 3, img.h, img.w], nchwBgr(img, v => (v / 255 - 0.5) / 0.5));
} else if (cmd === 'prep-det') {
    const img = readPpm(a[0]), mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
    writeNpy(a[1], [1, 3, img.h, img.w], nchwBgr(img, (v, c) => (v / 255 - mean[c]) / std[c]));
} else if (cmd === 'prep-nhwc') {
    prepNhwc(a[0], +a[1], +a[2], +a[3], a[4]);
} else if (cmd === 'ctc') {
    const keys = fs.readFileSync(a[2], 'utf8').split('\n').filter((s, i, all) => i < all.length - 1 || s);
    keys.push(' ');
    const t1 = ctcText(a[0], keys), t2 = ctcText(a[1], keys);
    console.log('ONNX Runtime reads "' + t1 + '", mote reads "' + t2 + '"');
    process.exit(t1 === t2 && t1.length > 0 ? 0 : 1);
} else if (cmd === 'boxes') {
    const b1 = boxes(a[0], +a[2]), b2 = boxes(a[1], +a[2]);
    console.log('ONNX Runtime finds ' + b1.length + ' boxes ' + JSON.stringify(b1) + ', mote ' + b2.length +
                (JSON.stringify(b1) === JSON.stringify(b2) ? ' (the same)' : ' ' + JSON.stringify(b2)));
    process.exit(JSON.stringify(b1) === JSON.stringify(b2) && b1.length > 0 ? 0 : 1);
} else {
    console.error('usage: see the head of real_models.js');
    process.exit(2);
}
