#!/usr/bin/env python3
"""The import of `eorm import`, done the way the Python platform does it: SQLAlchemy ORM objects,
one session, one commit (catalog §13), with the same fixes and checks as the Rust importer so
both do the same work:

- models are reflected from the live database (automap), not hand-written;
- props are checked against the reflected columns, image files must exist inside the base path;
- projects are found by name (created with External='Y'), patients by (project, identifier),
  studies by (patient, study_date), series by SeriesInstanceUid = series_id;
- images that exist already (same DatasetIdentifier and SourceInfoID) are skipped;
- everything is added to the session and committed once (all or nothing).

    sqlalchemy_import.py --url mysql+pymysql://root@127.0.0.1:3306/db --basepath DIR FILE.json
"""
import argparse
import json
import os
import sys
import time
from datetime import date

from sqlalchemy import MetaData, create_engine, select
from sqlalchemy.ext.automap import automap_base
from sqlalchemy.orm import Session
from sqlalchemy.types import JSON

TABLES = ["Contact", "Project", "Patient", "Study", "Series", "ImageInstance", "SourceInfo",
          "DeviceModel", "DeviceInstance", "Modality", "Scan"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--basepath", required=True)
    ap.add_argument("file")
    args = ap.parse_args()
    started = time.perf_counter()

    engine = create_engine(args.url)
    metadata = MetaData()
    metadata.reflect(engine, only=TABLES)
    Base = automap_base(metadata=metadata)
    Base.prepare()
    C = Base.classes
    Project, Patient, Study, Series, Image = (
        C.Project, C.Patient, C.Study, C.Series, C.ImageInstance)
    columns = {t: {c.name: c for c in metadata.tables[t].columns}
               for t in ["Patient", "Study", "Series", "ImageInstance"]}

    with open(args.file) as f:
        items = json.load(f)
    basepath = os.path.abspath(args.basepath)

    def props_of(table, props, where, problems):
        out = {}
        for k, v in (props or {}).items():
            col = columns[table].get(k)
            if col is None:
                problems.append(f"{where}.props.{k}: {table} has no column {k}")
                continue
            # MariaDB's JSON is LONGTEXT: unless reflected as JSON, the column takes text.
            if isinstance(v, (dict, list)) and not isinstance(col.type, JSON):
                v = json.dumps(v)
            out[k] = v
        return out

    problems = []
    session = Session(engine, autoflush=False)
    projects, patients, studies, series_by_uid = {}, {}, {}, {}
    new_objects = []
    counts = {"images_new": 0, "images_existing": 0}
    for i, item in enumerate(items):
        where = f"items[{i}]"
        name = item["project_name"]
        project = projects.get(name)
        if project is None:
            project = session.scalar(select(Project).where(Project.ProjectName == name))
            if project is None:
                project = Project(ProjectName=name, External="Y")
                new_objects.append(project)
            projects[name] = project
        ident = item["patient_identifier"]
        key = (name, ident)
        patient = patients.get(key)
        if patient is None:
            if project.ProjectID is not None:
                patient = session.scalar(select(Patient).where(
                    Patient.ProjectID == project.ProjectID, Patient.PatientIdentifier == ident))
            if patient is None:
                patient = Patient(PatientIdentifier=ident,
                                  **props_of("Patient", item.get("props"), where, problems))
                patient.project = project
                new_objects.append(patient)
            patients[key] = patient
        for j, st in enumerate(item.get("studies", [])):
            swhere = f"{where}.studies[{j}]"
            d = date.fromisoformat(st["study_date"])
            skey = (key, d)
            study = studies.get(skey)
            if study is None:
                if patient.PatientID is not None:
                    study = session.scalar(select(Study).where(
                        Study.PatientID == patient.PatientID, Study.StudyDate == d))
                if study is None:
                    study = Study(StudyDate=d, **props_of("Study", st.get("props"), swhere, problems))
                    study.patient = patient
                    new_objects.append(study)
                studies[skey] = study
            for k, se in enumerate(st.get("series", [])):
                sewhere = f"{swhere}.series[{k}]"
                uid = se["series_id"]
                series = series_by_uid.get(uid)
                if series is None:
                    series = session.scalar(select(Series).where(Series.SeriesInstanceUid == uid))
                    if series is None:
                        series = Series(SeriesInstanceUid=uid,
                                        **props_of("Series", se.get("props"), sewhere, problems))
                        series.study = study
                        new_objects.append(series)
                    series_by_uid[uid] = series
                paths = []
                for m, im in enumerate(se.get("images", [])):
                    full = os.path.normpath(os.path.join(basepath, im["image"]))
                    if not full.startswith(basepath + os.sep):
                        problems.append(f"{sewhere}.images[{m}].image: outside the base path")
                    elif not os.path.exists(full):
                        problems.append(f"{sewhere}.images[{m}].image: file not found")
                    paths.append(os.path.relpath(full, basepath))
                existing = set()
                if series.SeriesID is not None:
                    existing = set(session.execute(
                        select(Image.DatasetIdentifier, Image.SourceInfoID)
                        .where(Image.DatasetIdentifier.in_(paths))).all())
                for m, (im, rel) in enumerate(zip(se.get("images", []), paths)):
                    props = props_of("ImageInstance", im.get("props"),
                                     f"{sewhere}.images[{m}]", problems)
                    if (rel, props.get("SourceInfoID")) in existing:
                        counts["images_existing"] += 1
                        continue
                    image = Image(DatasetIdentifier=rel, Inactive=False, **props)
                    image.series = series
                    new_objects.append(image)
                    counts["images_new"] += 1
    if problems:
        session.rollback()
        print(f"{len(problems)} problem(s); nothing written", file=sys.stderr)
        for p in problems[:50]:
            print("  " + p, file=sys.stderr)
        sys.exit(1)
    session.add_all(new_objects)
    session.commit()
    elapsed = time.perf_counter() - started
    print(f"images: {counts['images_new']} new, {counts['images_existing']} existing; "
          f"{len(new_objects)} rows in {elapsed:.1f}s")


if __name__ == "__main__":
    main()
