#!/usr/bin/env python3
"""Writes the input of the import benchmark: a nested JSON import file with N images and the
image files themselves (empty files; the importers only check that they exist).

Shape: 1 project; per patient 2 studies (dates), per study 2 series (series_id = a DICOM UID),
per series 25 images, so N/100 patients. Every image carries the props a real import has:
the three lookup ids, Laterality, Modality, size, SOPInstanceUid, acquisition time and a CFROI.

    generate.py --images 100000 --out target/bench-import
"""
import argparse
import json
import os


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", type=int, default=100_000)
    ap.add_argument("--out", required=True, help="directory for images/ and import.json")
    ap.add_argument("--source", type=int, default=1, help="SourceInfoID")
    ap.add_argument("--device", type=int, default=1, help="DeviceInstanceID")
    ap.add_argument("--modality", type=int, default=1, help="ModalityID")
    args = ap.parse_args()

    per_series, series_per_study, studies_per_patient = 25, 2, 2
    per_patient = per_series * series_per_study * studies_per_patient
    patients = max(1, args.images // per_patient)
    images_dir = os.path.join(args.out, "images")
    items = []
    n = 0
    for pa in range(patients):
        studies = []
        for st in range(studies_per_patient):
            series = []
            for se in range(series_per_study):
                images = []
                for im in range(per_series):
                    rel = f"pa{pa:05d}/st{st}/se{se}/im{im:02d}.dcm"
                    path = os.path.join(images_dir, rel)
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    if not os.path.exists(path):
                        open(path, "wb").close()
                    images.append({
                        "image": rel,
                        "props": {
                            "SourceInfoID": args.source,
                            "DeviceInstanceID": args.device,
                            "ModalityID": args.modality,
                            "Laterality": "L" if im % 2 == 0 else "R",
                            "Modality": "ColorFundus",
                            "Rows_y": 1536,
                            "Columns_x": 2048,
                            "SOPInstanceUid": f"1.2.826.0.1.{pa}.{st}.{se}.{im}",
                            "AcquisitionDateTime": f"2021-0{st + 1}-1{se} 09:{im:02d}:00",
                            "CFROI": {"center": [1024, 768], "radius": 700},
                        },
                    })
                    n += 1
                series.append({
                    "series_id": f"1.2.826.0.1.{pa}.{st}.{se}",
                    "props": {"SeriesNumber": se + 1},
                    "images": images,
                })
            studies.append({
                "study_date": f"2020-0{st + 1}-{pa % 28 + 1:02d}",
                "props": {"StudyDescription": f"visit {st}"},
                "series": series,
            })
        items.append({
            "project_name": "Benchmark",
            "patient_identifier": f"B{pa:06d}",
            "props": {"Sex": "F" if pa % 2 == 0 else "M", "BirthDate": "1950-06-01"},
            "studies": studies,
        })
    with open(os.path.join(args.out, "import.json"), "w") as f:
        json.dump(items, f)
    print(f"{n} images of {patients} patients in {args.out}")


if __name__ == "__main__":
    main()
