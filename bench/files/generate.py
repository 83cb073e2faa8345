"""Writes the images of the update-hashes benchmark and the SQL that registers them.

    generate.py --out DIR [--png 8000] [--dicom 2000]

DIR/images/ gets PNG colour fundus-like photographs (512 x 512 RGB: a lit disc, vessels, sensor
noise) and DICOM OCT-like volumes (8 frames of 256 x 256, uint16, explicit VR little endian);
DIR/images.sql inserts one ImageInstance row per file (series, source, device, modality 1).
Files that already exist are kept, so a second run is quick. Runs on every core."""

import argparse
import os
from multiprocessing import Pool
from pathlib import Path

import numpy as np
from PIL import Image
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid


_cache = {}


def variant(kind, seed):
    """One of 7 noise-free base images per kind, built once per process."""
    key = (kind, seed % 7)
    if key not in _cache:
        v = seed % 7
        if kind == "png":
            yy, xx = np.mgrid[0:512, 0:512].astype(np.float32)
            disc = np.clip(1.2 - np.hypot(xx - 256, yy - 256) / 240, 0, 1)
            vessels = (np.sin(xx / (9 + v)) * np.cos(yy / 13) > 0.93) * 0.35
            base = disc * (1 - vessels)
            _cache[key] = np.stack([base * 200, base * 110, base * 40], axis=-1).astype(np.int16)
        else:
            z, y, x = np.mgrid[0:8, 0:256, 0:256]
            layers = (np.sin(y / 6 + z + x / (40 + v)) + 1) * 9000 * (y > 80) * (y < 200)
            _cache[key] = layers.astype(np.int32)
    return _cache[key]


def png(path, seed):
    rng = np.random.default_rng(seed)
    img = variant("png", seed) + rng.integers(-2, 3, (512, 512, 3), dtype=np.int16)
    Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(path, format="PNG", compress_level=1)  # fast to write; decoding costs about the same


def dicom(path, seed):
    rng = np.random.default_rng(seed)
    noise = rng.integers(0, 600, (8, 256, 256), dtype=np.int32)
    vol = (variant("dcm", seed) + noise).clip(0, 65535).astype(np.uint16)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.77.1.5.4"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.NumberOfFrames, ds.Rows, ds.Columns = 8, 256, 256
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
    ds.PixelData = vol.tobytes()
    ds.save_as(path, enforce_file_format=True)


def write(job):
    kind, i, path = job
    if not os.path.exists(path):
        (png if kind == "png" else dicom)(path + ".tmp", i)
        os.replace(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--png", type=int, default=8000)
    ap.add_argument("--dicom", type=int, default=2000)
    args = ap.parse_args()
    images = args.out / "images"
    jobs, rows = [], []
    for i in range(args.png):
        rel = f"cfi/{i // 1000:02d}/{i:06d}.png"
        jobs.append(("png", i, str(images / rel)))
        rows.append((rel, 512, 512, "NULL"))
    for i in range(args.dicom):
        rel = f"oct/{i // 1000:02d}/{i:06d}.dcm"
        jobs.append(("dcm", i, str(images / rel)))
        rows.append((rel, 256, 256, 8))
    for d in {os.path.dirname(p) for _, _, p in jobs}:
        os.makedirs(d, exist_ok=True)
    with Pool() as pool:
        pool.map(write, jobs, chunksize=50)
    with open(args.out / "images.sql", "w") as f:
        for start in range(0, len(rows), 1000):
            values = ",\n".join(
                f"(1, 1, 1, 1, 'R', '{rel}', {h}, {w}, {n}, 0)" for rel, h, w, n in rows[start:start + 1000]
            )
            f.write("INSERT INTO ImageInstance (SeriesID, SourceInfoID, DeviceInstanceID, ModalityID, "
                    f"Laterality, DatasetIdentifier, Rows_y, Columns_x, NrOfFrames, Inactive) VALUES\n{values};\n")
    print(f"{args.png} PNG and {args.dicom} DICOM files in {images}")


if __name__ == "__main__":
    main()
