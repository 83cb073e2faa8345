"""The Python platform's side of bench/files/segmentations.sh: writes COUNT uint8 segmentations
of shape (D, H, W) through the platform's ZarrStorageManager code (inlined: open_group mode "a",
require_group, create_array with the platform's parameters, one append per segmentation), or
reads them back one by one as ZarrArray.read does; prints a checksum.

    python segmentations.py write|read STORE COUNT D H W
"""
import sys

import numpy as np
import zarr


def element(index, shape):
    n = int(np.prod(shape))
    pos = np.arange(n, dtype=np.uint64)
    values = ((pos * np.uint64(40503) + np.uint64(index * 2654435761)) >> np.uint64(13)) & np.uint64(3)
    return values.astype(np.uint8).reshape(shape)


def get_array(root, group_name, dtype, shape):
    group = root.require_group(group_name)
    name = f"{str(dtype)}_{'_'.join(str(d) for d in shape)}.zarr"
    array = group.get(name, None)
    if array is None:
        array = group.create_array(name=name, shape=(0,) + shape, chunks=(1, *shape),
                                   dtype=dtype, overwrite=False)
    return array


def main():
    mode, store, count, d, h, w = sys.argv[1:]
    count, shape = int(count), (int(d), int(h), int(w))
    checksum = 0
    if mode == "write":
        root = zarr.open_group(store=store, mode="a")
        for i in range(count):
            data = element(i, shape)
            checksum += int(data.sum(dtype=np.uint64))
            array = get_array(root, "DataRepresentation.Binary", np.dtype(np.uint8), shape)
            array.append(data[None, ...])
    else:
        root = zarr.open_group(store=store, mode="r")
        array = root["DataRepresentation.Binary"][f"uint8_{d}_{h}_{w}.zarr"]
        for i in range(count):
            checksum += int(array[i, ...].sum(dtype=np.uint64))
    print(checksum)


if __name__ == "__main__":
    main()
