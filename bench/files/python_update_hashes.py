"""The Python platform's `eorm update-hashes`, for the benchmark: the same query, the same
per-image methods (ImageInstance.pixel_array / calc_data_hash / calc_file_checksum, copied from
eyened_orm), the same commits every 1000 images, through the SQLAlchemy ORM.

    python_update_hashes.py --url mysql+pymysql://root@127.0.0.1:3306/db --images DIR

The mapped class has only the columns the command uses (the platform's has all 40), and no
progress bar is drawn: both favour this side slightly. One change makes it work at all: DataHash
is stored as ASCII bytes (see the comment in main)."""

import argparse
import hashlib
import time
from pathlib import Path

import numpy as np
import pydicom
from PIL import Image
from sqlalchemy import LargeBinary, String, create_engine, func, or_, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.types import DateTime

IMAGES_BASEPATH = Path("/images")


class Base(DeclarativeBase):
    pass


class ImageInstance(Base):
    __tablename__ = "ImageInstance"
    ImageInstanceID: Mapped[int] = mapped_column(primary_key=True)
    DatasetIdentifier: Mapped[str] = mapped_column(String(256))
    Rows_y: Mapped[int | None]
    Columns_x: Mapped[int | None]
    NrOfFrames: Mapped[int | None]
    FileChecksum: Mapped[bytes | None] = mapped_column(LargeBinary)
    DataHash: Mapped[bytes | None] = mapped_column(LargeBinary)
    DateModified = mapped_column(DateTime, onupdate=func.now())

    @property
    def path(self) -> Path:
        return IMAGES_BASEPATH / self.DatasetIdentifier

    @property
    def pixel_array(self):
        if self.DatasetIdentifier.endswith(".dcm"):
            ds = pydicom.dcmread(self.path)
            return ds.pixel_array
        elif self.DatasetIdentifier.endswith(".binary"):
            with open(self.path, "rb") as f:
                raw = np.frombuffer(f.read(), dtype=np.uint8)
                data = raw.reshape((-1, self.Rows_y, self.Columns_x), order="C")
            return data
        elif self.DatasetIdentifier.startswith("[png_series_"):
            prefix, filename = self.DatasetIdentifier.split("]", 1)
            n_files = int(prefix[len("[png_series_"):])
            base_path = IMAGES_BASEPATH / filename
            return np.array(
                [np.array(Image.open(base_path.parent / f"{base_path.stem}_{i}.png"))
                 for i in range(n_files)]
            ).squeeze()
        else:
            return np.array(Image.open(self.path))

    def calc_data_hash(self):
        if not self.path.exists():
            raise FileNotFoundError(f"File {self.path} does not exist")
        data = self.pixel_array
        contiguous_data = np.ascontiguousarray(data)
        data_bytes = contiguous_data.tobytes()
        return hashlib.sha256(data_bytes).hexdigest()

    def calc_file_checksum(self):
        if not self.path.exists():
            raise FileNotFoundError(f"File {self.path} does not exist")
        md5_hash = hashlib.md5()
        with open(self.path, "rb") as f:
            for chunk in iter(lambda: f.read(4096), b""):
                md5_hash.update(chunk)
        return md5_hash.digest()


def main():
    global IMAGES_BASEPATH
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--images", required=True, type=Path)
    args = ap.parse_args()
    IMAGES_BASEPATH = args.images
    start = time.time()
    with Session(create_engine(args.url)) as session:
        query = select(ImageInstance).filter(
            or_(ImageInstance.FileChecksum == None, ImageInstance.DataHash == None)  # noqa: E711
        )
        images = session.execute(query).scalars().all()
        print(f"Found {len(images)} images with missing hashes")
        processed = errors = 0
        for im in images:
            updated = False
            if im.FileChecksum is None:
                try:
                    im.FileChecksum = im.calc_file_checksum()
                    updated = True
                except Exception:
                    errors += 1
            if im.DataHash is None:
                try:
                    # The platform assigns the str itself, which PyMySQL cannot bind to a BLOB
                    # ("string argument without an encoding"), so its first commit fails; the
                    # ASCII bytes are what the column is meant to hold.
                    im.DataHash = im.calc_data_hash().encode("ascii")
                    updated = True
                except Exception:
                    errors += 1
            if updated:
                processed += 1
                if processed % 1000 == 0:
                    session.commit()
        session.commit()
    print(f"Completed: Updated hashes for {processed} images with {errors} errors "
          f"in {time.time() - start:.1f} s")


if __name__ == "__main__":
    main()
