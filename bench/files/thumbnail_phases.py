"""The phases of examples/thumbnail_phases.rs with Pillow, single-threaded: reading and
decoding the image (np.array(Image.open)), thumbnail() at 144 and 540, and saving both as JPEG
(quality 75, optimize, progressive) to memory, for the first 30 images of a directory, the best
of 5 rounds, per image.

    python bench/files/thumbnail_phases.py target/bench-thumbnails/images/cfi
"""

import io
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

files = sorted(p for p in Path(sys.argv[1]).iterdir())[:30]
best = [float("inf")] * 4
for _ in range(5):
    rounds = [0.0] * 4
    for path in files:
        start = time.perf_counter()
        image = Image.fromarray(np.array(Image.open(path)))
        read = time.perf_counter()
        thumbs = []
        for size in (144, 540):
            thumb = image.copy()
            thumb.thumbnail((size, size))
            thumbs.append(thumb)
        resized = time.perf_counter()
        for thumb in thumbs:
            thumb.save(io.BytesIO(), format="JPEG", optimize=True, quality=75, progressive=True)
        encoded = time.perf_counter()
        for i, t in enumerate((read - start, resized - read, encoded - resized, encoded - start)):
            rounds[i] += t
    best = [min(b, r) for b, r in zip(best, rounds)]
ms = [b * 1000 / len(files) for b in best]
print(f"Pillow: read {ms[0]:.2f}, resize {ms[1]:.2f}, jpeg {ms[2]:.2f}, total {ms[3]:.2f} ms per image ({len(files)} images)")
