"""Benchmark of geofence matching (issue #15): raw positions per second against 1,000 fences,
through the STRtree of prepared geometries that ``casebook.monitoring.matching`` uses, side by
side with a naive loop that tests every fence, in one run, on the same positions.

    .venv/bin/python bench/geofence_match.py [--fences 1000] [--positions 20000] [--seed 7]

No database: this measures the geometric matching itself (``FenceIndex``), which is the part that
grows with the number of fences; the state table and the bindings are one query per batch each.
The fences are circles (48 points, radius 80–600 m) and irregular polygons scattered over a
30 × 30 km city; a third of the positions fall near a fence (as a tracked device's would).
"""

import argparse
import math
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casebook.settings")
os.environ.setdefault("CASEBOOK_TESTING", "1")

import django  # noqa: E402

django.setup()  # the matcher's module imports the models (no query is made)

from casebook.monitoring.geo import circle  # noqa: E402
from casebook.monitoring.matching import build_index  # noqa: E402

LON0, LAT0 = 120.15, 30.27
SPAN = 0.15  # about 15 km each side


def fences(n: int, rng: random.Random) -> list:
    out = []
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(n):
        lon = LON0 + rng.uniform(-SPAN, SPAN)
        lat = LAT0 + rng.uniform(-SPAN, SPAN)
        if i % 3:
            geometry = circle(lat, lon, rng.uniform(80, 600))
        else:  # an irregular polygon (a star-shaped area around a centre)
            k = rng.randint(6, 20)
            ring = []
            for j in range(k):
                a = 2 * math.pi * j / k
                r = rng.uniform(0.0008, 0.004)
                ring.append([lon + r * math.cos(a), lat + r * math.sin(a)])
            ring.append(ring[0])
            geometry = {"type": "Polygon", "coordinates": [ring]}
        out.append(
            SimpleNamespace(
                pk=i + 1,
                name=f"围栏{i + 1}",
                valid_from=start,
                valid_until=start + timedelta(days=365),
                device_ids=[],
                subject_pks=[],
                geometry=geometry,
            )
        )
    return out


def positions(n: int, rng: random.Random, rows: list) -> list[tuple[float, float]]:
    out = []
    for _ in range(n):
        if rng.random() < 1 / 3:
            lon, lat = rng.choice(rows).geometry["coordinates"][0][0]
            out.append((lon + rng.uniform(-0.003, 0.003), lat + rng.uniform(-0.003, 0.003)))
        else:
            out.append((LON0 + rng.uniform(-SPAN, SPAN), LAT0 + rng.uniform(-SPAN, SPAN)))
    return out


def rate(fn, points) -> tuple[float, int]:
    started = time.perf_counter()
    hits = fn(points)
    return len(points) / (time.perf_counter() - started), hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fences", type=int, default=1000)
    parser.add_argument("--positions", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    rows = fences(args.fences, rng)
    started = time.perf_counter()
    index = build_index(rows)
    build_ms = (time.perf_counter() - started) * 1000
    points = positions(args.positions, rng, rows)
    lons, lats = [p[0] for p in points], [p[1] for p in points]

    def batched(pts):
        hits = 0
        for start in range(0, len(pts), 500):  # batches of 500, as the feed sends them
            part = index.containing_many(lons[start : start + 500], lats[start : start + 500])
            hits += sum(len(h) for h in part)
        return hits

    def one_by_one(pts):
        return sum(len(index.containing(lon, lat)) for lon, lat in pts)

    def naive(pts):
        return sum(len(index.naive_containing(lon, lat)) for lon, lat in pts)

    naive_points = points[: max(1000, args.positions // 10)]  # the naive loop is slow: a sample
    results = [
        ("STRtree, batches of 500 (what ingestion runs)", *rate(batched, points), len(points)),
        ("STRtree, one position at a time", *rate(one_by_one, points), len(points)),
        ("naive loop over every fence", *rate(naive, naive_points), len(naive_points)),
    ]
    # the three must agree on the sample the naive loop saw
    sample_lons, sample_lats = lons[: len(naive_points)], lats[: len(naive_points)]
    indexed = [sorted(e.pk for e in h) for h in index.containing_many(sample_lons, sample_lats)]
    plain = [sorted(e.pk for e in index.naive_containing(lo, la)) for lo, la in naive_points]
    assert indexed == plain, "index and naive loop disagree"
    print(
        f"geofence matching: {args.fences} fences, index built in {build_ms:.0f} ms, "
        f"{sum(len(h) for h in plain)} hits in the {len(naive_points)}-position sample"
    )
    print(f"{'method':48} {'positions':>10} {'positions/s':>12} {'hits':>8}")
    for name, per_second, hits, n in results:
        print(f"{name:48} {n:>10} {per_second:>12,.0f} {hits:>8}")
    print(
        f"speed-up of the batched index over the naive loop: {results[0][1] / results[2][1]:.0f}×"
    )


if __name__ == "__main__":
    main()
