// A fake camera for chromium: a Y4M video made of card images, for
// --use-fake-device-for-media-stream --use-file-for-fake-video-capture=<file.y4m>
// (chromium loops the file). No ffmpeg: chromium itself decodes and composes each image onto a
// frame (a desk-grey background, the card slightly rotated, as a phone would see it), node turns
// the RGBA pixels into I420 and writes the trivial Y4M container.
//
//   import { writeCardVideo, fakeCameraArgs } from '../lib/fakecam.mjs';
//   await writeCardVideo(browser, [pngBuffer], '/tmp/valid.y4m');   // any launched browser
//   launchPersistent(dir, { args: fakeCameraArgs('/tmp/valid.y4m') })

import { openSync, writeSync, closeSync } from 'node:fs';

/** Chromium arguments for a fake camera fed from `y4m`, with camera permission granted. */
export function fakeCameraArgs(y4m) {
  return ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${y4m}`];
}

/**
 * Writes a Y4M video of `frames` frames per image (`images`: PNG or JPEG buffers), `width`×`height`,
 * 10 frames a second, each image drawn at `cardWidth` pixels wide, rotated by `angleDeg`.
 */
export async function writeCardVideo(browser, images, path, { width = 1280, height = 720, frames = 5, cardWidth = 900, angleDeg = 3 } = {}) {
  const page = await browser.newPage();
  try {
    const fd = openSync(path, 'w');
    writeSync(fd, `YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
    for (const img of images) {
      const rgba = await page.evaluate(async ({ b64, width, height, cardWidth, angleDeg }) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const bmp = await createImageBitmap(new Blob([bytes]));
        const c = new OffscreenCanvas(width, height);
        const ctx = c.getContext('2d');
        const g = ctx.createLinearGradient(0, 0, width, height);
        g.addColorStop(0, '#8d8a83');
        g.addColorStop(1, '#5f5c57');
        ctx.fillStyle = g;
        ctx.fillRect(0, 0, width, height);
        const w = cardWidth;
        const h = (bmp.height / bmp.width) * w;
        ctx.translate(width / 2, height / 2);
        ctx.rotate((angleDeg * Math.PI) / 180);
        ctx.shadowColor = 'rgba(0,0,0,.45)';
        ctx.shadowBlur = 18;
        ctx.drawImage(bmp, -w / 2, -h / 2, w, h);
        const d = ctx.getImageData(0, 0, width, height).data;
        let s = '';
        for (let i = 0; i < d.length; i += 0x8000) s += String.fromCharCode.apply(null, d.subarray(i, i + 0x8000));
        return btoa(s);
      }, { b64: Buffer.from(img).toString('base64'), width, height, cardWidth, angleDeg });
      const frame = i420(Buffer.from(rgba, 'base64'), width, height);
      for (let i = 0; i < frames; i++) {
        writeSync(fd, 'FRAME\n');
        writeSync(fd, frame);
      }
    }
    closeSync(fd);
  } finally {
    await page.close();
  }
  return path;
}

/** RGBA → I420 (BT.601 full range, as C420jpeg means), chroma averaged over 2×2. */
function i420(rgba, w, h) {
  const out = Buffer.alloc(w * h * 3 / 2);
  const u0 = w * h;
  const v0 = u0 + (w / 2) * (h / 2);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      out[y * w + x] = Math.round(0.299 * rgba[i] + 0.587 * rgba[i + 1] + 0.114 * rgba[i + 2]);
    }
  }
  for (let y = 0; y < h; y += 2) {
    for (let x = 0; x < w; x += 2) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
        const i = ((y + dy) * w + x + dx) * 4;
        r += rgba[i];
        g += rgba[i + 1];
        b += rgba[i + 2];
      }
      r /= 4;
      g /= 4;
      b /= 4;
      const j = (y / 2) * (w / 2) + x / 2;
      out[u0 + j] = clamp(128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
      out[v0 + j] = clamp(128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
    }
  }
  return out;
}

const clamp = (v) => Math.max(0, Math.min(255, Math.round(v)));
