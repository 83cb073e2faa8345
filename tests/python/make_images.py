"""Writes test images of every kind the platform reads into sys.argv[1] and prints, as JSON, the
Python platform's view of each: shape, dtype, DataHash and FileChecksum, computed as
eyened_orm.ImageInstance.pixel_array / calc_data_hash / calc_file_checksum do."""

import hashlib
import io
import json
import struct
import sys
import zlib
from pathlib import Path

import numpy as np
import pydicom
from PIL import Image
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.uid import (
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    JPEGBaseline8Bit,
    RLELossless,
    generate_uid,
)

base = Path(sys.argv[1])
rng = np.random.default_rng(7)
entries = []  # (DatasetIdentifier, Rows_y, Columns_x, NrOfFrames)


def add(identifier, rows=None, columns=None, frames=None):
    entries.append((identifier, rows, columns, frames))


def raw_png(path, arr, color_type, bit_depth):
    """A PNG written by hand, for sample layouts Pillow does not write (16-bit RGB, 2-bit grey)."""
    h, w = arr.shape[:2]
    if bit_depth == 16:
        rows = [b"\0" + arr[y].astype(">u2").tobytes() for y in range(h)]
    else:
        rows = [b"\0" + np.packbits(arr[y].reshape(-1, 1) >> np.arange(bit_depth)[::-1] & 1).tobytes() for y in range(h)]

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", w, h, bit_depth, color_type, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


u8 = lambda *shape: rng.integers(0, 256, shape, dtype=np.uint8)

# Pillow-written rasters.
Image.fromarray(u8(37, 53)).save(base / "l8.png")
Image.fromarray(u8(37, 53, 3)).save(base / "rgb.png")
Image.fromarray(u8(37, 53, 4)).save(base / "rgba.png")
Image.fromarray(u8(20, 11, 2), "LA").save(base / "la.png")
Image.fromarray(rng.integers(0, 65536, (29, 31), dtype=np.uint16)).save(base / "g16.png")
Image.fromarray(u8(25, 19) > 128).save(base / "bits1.png")
Image.fromarray(u8(25, 19, 3)).convert("P").save(base / "palette.png")
Image.fromarray(u8(25, 19) % 16).convert("P").save(base / "palette4.png", bits=4)
raw_png(base / "rgb16.png", rng.integers(0, 65536, (13, 17, 3), dtype=np.uint16), 2, 16)
raw_png(base / "grey2.png", u8(9, 14) % 4, 0, 2)
Image.fromarray(u8(37, 53, 3)).save(base / "rgb.tif")
Image.fromarray(rng.integers(0, 65536, (21, 23), dtype=np.uint16)).save(base / "g16.tif")
Image.fromarray(u8(37, 53, 3)).save(base / "rgb.bmp")
# A photo-like gradient, so that JPEG has something smooth and something sharp to code.
yy, xx = np.mgrid[0:64, 0:80]
photo = np.stack([xx * 3, yy * 4, (xx + yy) * 2], axis=-1).clip(0, 255).astype(np.uint8)
photo[20:30, 20:50] = 255
Image.fromarray(photo).save(base / "rgb.jpg", quality=90)
Image.fromarray(photo[..., 0]).save(base / "l.jpg", quality=90)
Image.fromarray(u8(8, 8)).save(base / "named-like-a-png.jpg.png")  # content decides, not name
for name in ["l8.png", "rgb.png", "rgba.png", "la.png", "g16.png", "bits1.png", "palette.png",
             "palette4.png", "rgb16.png", "grey2.png", "rgb.tif", "g16.tif", "rgb.bmp", "rgb.jpg",
             "l.jpg", "named-like-a-png.jpg.png"]:
    add(name)


def dicom(name, arr, *, bits_stored=None, signed=False, photometric=None, planar=0,
          syntax=ExplicitVRLittleEndian, frames=None, pixel_bytes=None):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.77.1.5.1"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = syntax
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    colour = arr.ndim == (4 if frames else 3)
    ds.SamplesPerPixel = 3 if colour else 1
    ds.PhotometricInterpretation = photometric or ("RGB" if colour else "MONOCHROME2")
    if colour:
        ds.PlanarConfiguration = planar
    if frames:
        ds.NumberOfFrames = frames
    ds.Rows, ds.Columns = arr.shape[1:3] if frames else arr.shape[:2]
    bits = arr.dtype.itemsize * 8
    ds.BitsAllocated = bits
    ds.BitsStored = bits_stored or bits
    ds.HighBit = ds.BitsStored - 1
    ds.PixelRepresentation = 1 if signed else 0
    if pixel_bytes is None:
        data = arr
        if colour and planar == 1:
            data = np.moveaxis(arr, -1, -3)
        pixel_bytes = np.ascontiguousarray(data).astype(arr.dtype.newbyteorder("<")).tobytes()
    ds.PixelData = pixel_bytes
    if syntax == RLELossless:
        ds.compress(RLELossless, arr)
    ds.save_as(base / name, enforce_file_format=True, implicit_vr=syntax == ImplicitVRLittleEndian)
    add(name, ds.Rows, ds.Columns, frames)


dicom("mono8.dcm", u8(33, 40))
# 12 of 16 bits stored, with noise in the 4 unused bits: pydicom clears them.
dicom("mono12.dcm", rng.integers(0, 65536, (30, 20), dtype=np.uint16), bits_stored=12)
# Signed 12 of 16 bits: pydicom sign-extends bit 11.
dicom("signed12.dcm", rng.integers(0, 4096, (30, 20), dtype=np.uint16).astype(np.int16),
      bits_stored=12, signed=True)
dicom("signed16.dcm", rng.integers(-32768, 32767, (30, 20), dtype=np.int16), signed=True)
dicom("implicit.dcm", rng.integers(0, 65536, (16, 16), dtype=np.uint16),
      syntax=ImplicitVRLittleEndian)
dicom("rgb.dcm", u8(24, 18, 3))
dicom("rgb-planar.dcm", u8(24, 18, 3), planar=1)
dicom("ybr.dcm", u8(24, 18, 3), photometric="YBR_FULL")
dicom("frames.dcm", rng.integers(0, 65536, (4, 20, 16), dtype=np.uint16), frames=4)
dicom("frames1.dcm", u8(1, 20, 16), frames=1)
dicom("rgb-frames.dcm", u8(3, 12, 10, 3), frames=3)
dicom("mono32.dcm", rng.integers(0, 2**32, (10, 12), dtype=np.uint32))
dicom("rle.dcm", rng.integers(0, 65536, (20, 16), dtype=np.uint16), syntax=RLELossless)
jpeg = io.BytesIO()
Image.fromarray(photo).save(jpeg, "JPEG", quality=90)
dicom("jpeg.dcm", photo, photometric="YBR_FULL_422", syntax=JPEGBaseline8Bit,
      pixel_bytes=encapsulate([jpeg.getvalue()]))

# Multi-frame JPEG baseline: three different frames, found by the basic offset table; and two
# greyscale frames of two fragments each without an offset table (found by their SOI markers).
def jpeg_bytes(arr):
    out = io.BytesIO()
    Image.fromarray(arr).save(out, "JPEG", quality=90)
    return out.getvalue()


movie = np.stack([np.roll(photo, 7 * i, axis=1) for i in range(3)])
dicom("jpeg-frames.dcm", movie, photometric="YBR_FULL_422", syntax=JPEGBaseline8Bit,
      frames=3, pixel_bytes=encapsulate([jpeg_bytes(f) for f in movie]))
grey = np.stack([photo[..., 0], photo[..., 1]])
dicom("jpeg-frames-fragments.dcm", grey, syntax=JPEGBaseline8Bit, frames=2,
      pixel_bytes=encapsulate([jpeg_bytes(f) for f in grey], fragments_per_frame=2,
                              has_bot=False))

# Raw bytes: 2 frames of 16 x 24.
(base / "volume.binary").write_bytes(u8(2, 16, 24).tobytes())
add("volume.binary", 16, 24, 2)
(base / "ragged.binary").write_bytes(u8(100).tobytes())
add("ragged.binary", 16, 24, None)

# PNG series: 3 greyscale frames; a single RGB frame (the frame axis squeezed away); frames of
# one row (that axis squeezed away too).
(base / "series").mkdir()
for i in range(3):
    Image.fromarray(u8(10, 12)).save(base / "series" / f"oct_{i}.png")
add("[png_series_3]series/oct.png", 10, 12, 3)
Image.fromarray(u8(10, 12, 3)).save(base / "series" / "one_0.png")
add("[png_series_1]series/one.png", 10, 12, 1)
for i in range(2):
    Image.fromarray(u8(1, 5)).save(base / "series" / f"thin_{i}.png")
add("[png_series_2]series/thin.png", 1, 5, 2)
add("missing.png")


def pixel_array(identifier, rows, columns):
    """ImageInstance.pixel_array of the Python platform."""
    path = base / identifier
    if identifier.endswith(".dcm"):
        return pydicom.dcmread(path).pixel_array
    elif identifier.endswith(".binary"):
        raw = np.frombuffer(path.read_bytes(), dtype=np.uint8)
        return raw.reshape((-1, rows, columns), order="C")
    elif identifier.startswith("[png_series_"):
        prefix, filename = identifier.split("]", 1)
        n_files = int(prefix[len("[png_series_"):])
        base_path = base / filename
        return np.array(
            [np.array(Image.open(base_path.parent / f"{base_path.stem}_{i}.png"))
             for i in range(n_files)]
        ).squeeze()
    return np.array(Image.open(path))


out = []
for identifier, rows, columns, frames in entries:
    ref = {"identifier": identifier, "rows": rows, "columns": columns, "frames": frames}
    try:
        arr = pixel_array(identifier, rows, columns)
        ref["shape"] = list(arr.shape)
        ref["dtype"] = str(arr.dtype)
        ref["data_hash"] = hashlib.sha256(np.ascontiguousarray(arr).tobytes()).hexdigest()
        if "jp" in identifier:  # JPEG-coded: the pixels, to say by how much a decoder differs
            ref["pixels_hex"] = np.ascontiguousarray(arr).tobytes().hex()
    except Exception as e:
        ref["error"] = f"{type(e).__name__}: {e}"
    path = base / identifier
    if path.exists():
        ref["file_checksum"] = hashlib.md5(path.read_bytes()).hexdigest()
    out.append(ref)
print(json.dumps(out))
