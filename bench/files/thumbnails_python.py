"""The file work of the Python platform's `update_thumbnails` (orm/eyened_orm/importer/
thumbnails.py), for the thumbnail benchmark: for each image of a manifest, the HMAC name, the
pixels as `ImageInstance.pixel_array` reads them, `get_thumbnail`'s reduction, Pillow's
`thumbnail()` at 144 and 540 and JPEG files saved with quality 75, optimize and progressive, in
one process as there. The database work (selecting the images, storing ThumbnailPath) is left
out, so this is a lower bound of the Python command. cv2 is not installed: the stretch of a
projection uses Pillow's bilinear resize instead of cv2.resize(INTER_LINEAR).

    python thumbnails_python.py MANIFEST.tsv IMAGES_BASEPATH THUMBNAILS_PATH SECRET_KEY
"""

import hashlib
import hmac
import sys
from pathlib import Path

import numpy as np
from PIL import Image


def get_thumbnail(pixel_array, res_h, res_v):
    shape = pixel_array.shape
    if len(shape) != 3:
        return pixel_array
    if shape[2] <= 4:
        return pixel_array.squeeze()
    n_scans = shape[0]
    if n_scans == 1:
        return pixel_array.squeeze()
    if n_scans < 10:
        return pixel_array[n_scans // 2]
    np_im = pixel_array.mean(axis=1)
    np_im = np_im - np.min(np_im)
    np_im = np_im / np.max(np_im)
    np_im = (np_im * 255).astype(np.uint8)
    try:
        aspect_ratio = res_h / res_v
    except (TypeError, ZeroDivisionError):
        aspect_ratio = 1
    h, w = np_im.shape
    if aspect_ratio > 1:
        target = (int(w * aspect_ratio), h)
    else:
        target = (w, int(h / aspect_ratio))
    return np.asarray(Image.fromarray(np_im).resize(target, Image.BILINEAR))


def main():
    manifest, base, out, key = sys.argv[1:5]
    base, out, key = Path(base), Path(out), key.encode()
    made = 0
    for line in open(manifest):
        image_id, project, identifier, rows, columns, res_h, res_v = line.rstrip("\n").split("\t")
        name = f"{project}/" + hmac.new(key, image_id.encode(), hashlib.sha256).hexdigest()[:24]
        path = base / identifier
        if identifier.endswith(".binary"):
            raw = np.frombuffer(path.read_bytes(), dtype=np.uint8)
            pixels = raw.reshape((-1, int(rows), int(columns)))
        else:
            pixels = np.array(Image.open(path))
        as_float = lambda v: None if v == "NULL" else float(v)
        pil_im = Image.fromarray(get_thumbnail(pixels, as_float(res_h), as_float(res_v)))
        for size in (144, 540):
            thumb = pil_im.copy()
            thumb.thumbnail((size, size))
            thumb_path = out / f"{name}_{size}.jpg"
            thumb_path.parent.mkdir(parents=True, exist_ok=True)
            thumb.save(thumb_path, format="JPEG", optimize=True, quality=75, progressive=True)
        made += 1
    print(f"{made} images")


main()
