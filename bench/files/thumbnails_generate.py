"""Images for the thumbnail benchmark (bench/files/thumbnails.sh): IMAGES colour-fundus-like
1024x1024 RGB PNGs (a bright disc with noise, as compressible as real photographs; 100 distinct
ones, copied round-robin so that every file is read from its own pages) and VOLUMES raw
`.binary` OCT-like volumes of 496x512 B-scans, half with 5 B-scans (the middle one is the
thumbnail) and half with 64 (a projection). Writes images/ and import.json (one project, one
patient, one study, one series) into the directory given as argv[1].

    python thumbnails_generate.py DIR IMAGES VOLUMES
"""

import json
import os
import shutil
import sys

import numpy as np
from PIL import Image

DISTINCT = 100
ROWS, COLUMNS = 496, 512

work, n_images, n_volumes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
images = os.path.join(work, "images")
os.makedirs(images, exist_ok=True)
rng = np.random.default_rng(1)
yy, xx = np.mgrid[0:1024, 0:1024]
disc = np.clip(1 - np.sqrt((yy - 512) ** 2 + (xx - 512) ** 2) / 512, 0, 1)

entries = []
for i in range(n_images):
    name = f"cfi/{i:05d}.png"
    path = os.path.join(images, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if i < DISTINCT:
        tint = rng.uniform(0.6, 1.0, 3) * np.array([220, 110, 50])
        img = disc[..., None] * tint + rng.normal(0, 6, (1024, 1024, 3))
        Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(path)
    else:
        shutil.copyfile(os.path.join(images, f"cfi/{i % DISTINCT:05d}.png"), path)
    entries.append({"image": name, "props": {"Laterality": "L"}})

for v in range(n_volumes):
    scans = 5 if v % 2 == 0 else 64
    name = f"oct/{v:04d}.binary"
    path = os.path.join(images, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    depth = np.linspace(255, 30, ROWS)[None, :, None]
    vol = depth * rng.uniform(0.5, 1.0, (scans, 1, COLUMNS)) + rng.normal(0, 10, (scans, ROWS, COLUMNS))
    np.clip(vol, 0, 255).astype(np.uint8).tofile(path)
    entries.append({
        "image": name,
        "props": {
            "Laterality": "R",
            "Rows_y": ROWS,
            "Columns_x": COLUMNS,
            "NrOfFrames": scans,
            "ResolutionHorizontal": 0.0117,
            "ResolutionVertical": 0.0469,
        },
    })

for e in entries:
    e["props"].update({"SourceInfoID": 1, "DeviceInstanceID": 1, "ModalityID": 1})
doc = [{
    "project_name": "thumbnail bench",
    "patient_identifier": "P1",
    "studies": [{"study_date": "2024-01-02", "series": [{"series_id": "1.2.3", "images": entries}]}],
}]
with open(os.path.join(work, "import.json"), "w") as f:
    json.dump(doc, f)
