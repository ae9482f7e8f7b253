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
//   node real_models.js vad-speech DIR WAV...       speech: each 16-bit mono WAV (espeak-ng writes
//                                                   22050 Hz) resampled to 16 kHz by a windowed sinc,
//                                                   joined between silences, cut into chunks of 512
//                                                   samples as DIR/chunk_K.npy, DIR/sr.npy,
//                                                   DIR/state.npy; prints the chunk count
//   node real_models.js vad-ort MODEL DIR N         Silero VAD over the chunks with ONNX Runtime, the
//                                                   state carried: DIR/ort_prob_K.npy
//   node real_models.js vad-compare DIR N           mote's DIR/mote_prob_K.npy against ONNX Runtime's:
//                                                   each within 1e-4, the same speech chunks (p > 0.5)
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

// Audio the detector can call speech: silence, then a sustained voiced
// sound (a 120-140 Hz fundamental with falling harmonics and formant-like
// peaks, slow vibrato, a little noise), then silence. Deterministic.
// n chunks of x as DIR/chunk_K.npy (1, 512), a zero DIR/state.npy, DIR/sr.npy
function writeInputs(dir, x, n) {
    for (let k = 0; k < n; k++)
        writeNpy(dir + '/chunk_' + k + '.npy', [1, 512], x.subarray(k * 512, (k + 1) * 512));
    writeNpy(dir + '/state.npy', [2, 1, 128], new Float32Array(256));
    // sr: an int64 scalar
    const hdr0 = "{'descr': '<i8', 'fortran_order': False, 'shape': (), }";
    const hdr = hdr0 + ' '.repeat((64 - ((10 + hdr0.length + 1) % 64)) % 64) + '\n';
    const head = Buffer.alloc(10);
    head.write('\x93NUMPY', 0, 'latin1');
    head[6] = 1;
    head.writeUInt16LE(hdr.length, 8);
    const v = Buffer.alloc(8);
    v.writeBigInt64LE(16000n);
    fs.writeFileSync(dir + '/sr.npy', Buffer.concat([head, Buffer.from(hdr, 'latin1'), v]));
}

// A 16-bit PCM mono WAV -> {rate, x: Float32Array in [-1, 1)}.
function readWav(path) {
    const b = fs.readFileSync(path);
    if (b.toString('latin1', 0, 4) !== 'RIFF' || b.toString('latin1', 8, 12) !== 'WAVE')
        throw new Error(path + ': not a RIFF WAVE file');
    let at = 12, rate = 0, bits = 0, ch = 0;
    while (at + 8 <= b.length) {
        const id = b.toString('latin1', at, at + 4);
        let size = b.readUInt32LE(at + 4);
        if (id === 'fmt ') {
            if (b.readUInt16LE(at + 8) !== 1) throw new Error(path + ': not PCM');
            ch = b.readUInt16LE(at + 10); rate = b.readUInt32LE(at + 12); bits = b.readUInt16LE(at + 22);
        } else if (id === 'data') {
            if (bits !== 16 || ch !== 1) throw new Error(path + ': not 16-bit mono');
            size = Math.min(size, b.length - at - 8);   // a streamed WAV may give no length
            const x = new Float32Array(size >> 1);
            for (let i = 0; i < x.length; i++) x[i] = b.readInt16LE(at + 8 + 2 * i) / 32768;
            return {rate, x};
        }
        at += 8 + size + (size & 1);
    }
    throw new Error(path + ': no data chunk');
}

// x at rate `from` -> rate `to`: each output sample a Hann-windowed sinc
// low-pass (cut-off 0.45 x the lower rate) over 24 input samples each side.
function resample(x, from, to) {
    const n = Math.floor(x.length * to / from), y = new Float32Array(n), half = 24;
    const fc = 0.45 * Math.min(from, to) / from;   // cycles per input sample
    for (let i = 0; i < n; i++) {
        const t = i * from / to, c = Math.floor(t);
        let acc = 0;
        for (let k = c - half + 1; k <= c + half; k++) {
            if (k < 0 || k >= x.length) continue;
            const d = t - k, w = 0.5 + 0.5 * Math.cos(Math.PI * d / half);
            const sinc = d === 0 ? 1 : Math.sin(2 * Math.PI * fc * d) / (2 * Math.PI * fc * d);
            acc += x[k] * 2 * fc * sinc * w;
        }
        y[i] = acc;
    }
    return y;
}

// 0.5 s of quiet, then each WAV followed by 0.7 s of quiet; low noise over
// all of it (seeded); padded to whole 512-sample chunks.
function vadSpeech(dir, wavs) {
    const sr = 16000, parts = [new Float32Array(sr / 2)];
    for (const w of wavs) {
        const a = readWav(w);
        parts.push(a.rate === sr ? a.x : resample(a.x, a.rate, sr), new Float32Array(Math.round(0.7 * sr)));
    }
    const len = parts.reduce((s, p) => s + p.length, 0), n = Math.ceil(len / 512);
    const x = new Float32Array(n * 512);
    let at = 0, seed = 4242;
    for (const p of parts) { x.set(p, at); at += p.length; }
    for (let i = 0; i < x.length; i++)
        x[i] += 0.001 * ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296 - 0.5);
    writeInputs(dir, x, n);
    console.log(n);
}

async function vadOrt(model, dir, n) {
    const ort = require('onnxruntime-node');
    const sess = await ort.InferenceSession.create(model, {intraOpNumThreads: 1});
    let state = new ort.Tensor('float32', new Float32Array(256), [2, 1, 128]);
    const sr = new ort.Tensor('int64', BigInt64Array.from([16000n]), []);
    for (let k = 0; k < n; k++) {
        const x = readNpy(dir + '/chunk_' + k + '.npy');
        const r = await sess.run({input: new ort.Tensor('float32', x.data, x.shape), state, sr});
        writeNpy(dir + '/ort_prob_' + k + '.npy', r.output.dims, Float32Array.from(r.output.data));
        state = r.stateN;
    }
}

function vadCompare(dir, n) {
    let worst = 0, bad = 0, speechA = '', speechB = '';
    for (let k = 0; k < n; k++) {
        const a = readNpy(dir + '/ort_prob_' + k + '.npy').data[0], b = readNpy(dir + '/mote_prob_' + k + '.npy').data[0];
        worst = Math.max(worst, Math.abs(a - b));
        if (!(Math.abs(a - b) <= 1e-4)) bad++;
        speechA += a > 0.5 ? 'S' : '.';
        speechB += b > 0.5 ? 'S' : '.';
    }
    // speech segments: runs of chunks above 0.5, as [start, end) in ms
    const segs = s => [...s.matchAll(/S+/g)].map(m => [m.index * 32, (m.index + m[0].length) * 32]);
    console.log('speech chunks: ONNX Runtime ' + speechA + ', mote ' + speechB +
                '; max |difference| of the probabilities ' + worst.toExponential(3));
    console.log('speech segments (ms): ONNX Runtime ' + JSON.stringify(segs(speechA)) +
                ', mote ' + JSON.stringify(segs(speechB)));
    return bad === 0 && speechA === speechB && speechA.includes('S') && speechA.includes('.') ? 0 : 1;
}

const [cmd, ...a] = process.argv.slice(2);
if (cmd === 'vad-speech') {
    vadSpeech(a[0], a.slice(1));
} else if (cmd === 'vad-ort') {
    vadOrt(a[0], a[1], +a[2]).catch(e => { console.error(String(e)); process.exit(2); });
} else if (cmd === 'vad-compare') {
    process.exit(vadCompare(a[0], +a[1]));
} else if (cmd === 'prep-rec') {
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
