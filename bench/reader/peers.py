#!/usr/bin/env python3
"""Peer readers on the same images: zxing-cpp (PyPI zxing-cpp) and zbar (PyPI pyzbar + libzbar0).

Usage: peers.py DIR [REPEATS]. Prints one JSON line per (reader, image), same protocol as the Rust
bench: images are decoded to greyscale first (Pillow), only the reader call is timed, best of
REPEATS runs, single thread, measured as the thread's CPU time (time.thread_time), like the Rust
bench, so load from other processes on a shared machine does not inflate it. Each reader runs with its library defaults for QR codes (zxing-cpp's
defaults include try_harder, try_rotate, try_invert and try_downscale).
"""
import json
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402


def readers():
    out = []
    try:
        import zxingcpp

        def zx(grey):
            return [r.text for r in zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormat.QRCode)]

        out.append((f"zxing-cpp {zxingcpp.__version__ if hasattr(zxingcpp, '__version__') else ''}".strip(), zx))
    except ImportError as e:
        print(f"zxing-cpp unavailable: {e}", file=sys.stderr)
    try:
        from pyzbar import pyzbar

        def zb(grey):
            h, w = grey.shape
            res = pyzbar.decode((grey.tobytes(), w, h), symbols=[pyzbar.ZBarSymbol.QRCODE])
            return [r.data.decode("utf-8", "replace") for r in res]

        out.append(("zbar", zb))
    except (ImportError, OSError) as e:
        print(f"zbar unavailable: {e}", file=sys.stderr)
    return out


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "bench/reader/out"
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    rs = readers()
    with open(os.path.join(d, "manifest.jsonl")) as f:
        items = [json.loads(line) for line in f if line.strip()]
    for it in items:
        grey = np.ascontiguousarray(np.asarray(Image.open(os.path.join(d, it["file"])).convert("L")))
        for name, fn in rs:
            best = float("inf")
            texts = []
            for _ in range(max(1, repeats)):
                t = time.thread_time()
                try:
                    texts = fn(grey)
                except Exception as e:  # a peer crash counts as "nothing read"
                    print(f"{name} raised on {it['file']}: {e}", file=sys.stderr)
                    texts = []
                best = min(best, (time.thread_time() - t) * 1e3)
            ok = it["text"] in texts
            wrong = any(t != it["text"] for t in texts)
            print(json.dumps({"reader": name, "file": it["file"], "class": it["class"], "ok": ok,
                              "wrong": wrong, "ms": round(best, 3)}))


if __name__ == "__main__":
    main()
