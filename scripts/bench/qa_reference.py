"""The data-qa checks done the obvious way in Python (PIL + numpy, one process), as the
reference that `pnpm bench:qa` measures @wms/dataset against in the same run.

Usage: /usr/bin/python3 scripts/bench/qa_reference.py DATASET_ROOT [--tolerance 32] [--max-ambiguous 0.01]
Prints one JSON line: pairs, errors, warnings, seconds, peak RSS.
"""
import argparse
import hashlib
import json
import os
import resource
import sys
import time

import numpy as np
from PIL import Image, ImageOps

Image.MAX_IMAGE_PIXELS = 40_000_000  # the same decompression-bomb limit as data-qa
EXTS = {".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff"}


def load(path):
    # Full decode, displayed orientation.
    with Image.open(path) as im:
        im = ImageOps.exif_transpose(im)
        return np.asarray(im), im.format


def by_id(folder, suffix):
    files = {}
    for name in sorted(os.listdir(folder)):
        stem, ext = os.path.splitext(name)
        if ext.lower() in EXTS:
            files[stem[: -len(suffix)] if stem.lower().endswith(suffix) else stem] = os.path.join(folder, name)
    return files


def check_pair(image_path, mask_path, args):
    problems = []
    with open(image_path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    image, _ = load(image_path)
    with Image.open(mask_path) as m:
        lossy = m.format in ("JPEG", "WEBP")
    mask, _ = load(mask_path)
    if image.shape[:2] != mask.shape[:2]:
        problems.append(("error", "size-mismatch"))
    h, w = image.shape[:2]
    if min(h, w) < 32 or max(h, w) > 10_000:
        problems.append(("error", "resolution-out-of-policy"))
    if mask.ndim == 3:
        spread = mask.max(axis=2).astype(np.int16) - mask.min(axis=2)
        if (spread > (args.tolerance if lossy else 0)).any():
            problems.append(("error", "mask-channels-differ"))
        mask = mask[:, :, 0]
    if lossy:
        ambiguous = ((mask > args.tolerance) & (mask < 255 - args.tolerance)).mean()
        if ambiguous > args.max_ambiguous:
            problems.append(("error", "mask-too-ambiguous"))
    elif not ((mask == 0) | (mask == 255)).all():
        problems.append(("error", "mask-not-binary"))
    coverage = float((mask >= 128).mean())
    if coverage == 0.0:
        problems.append(("warning", "mask-empty"))
    elif coverage == 1.0:
        problems.append(("warning", "mask-full"))
    return digest, coverage, problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("root")
    parser.add_argument("--tolerance", type=int, default=32)
    parser.add_argument("--max-ambiguous", type=float, default=0.01)
    args = parser.parse_args()
    start = time.perf_counter()
    images = by_id(os.path.join(args.root, "images"), "_image")
    masks = by_id(os.path.join(args.root, "masks"), "_mask")
    problems = [("error", "mask-missing")] * len(images.keys() - masks.keys())
    problems += [("error", "image-missing")] * len(masks.keys() - images.keys())
    seen, coverages, pairs = {}, [], 0
    for pair_id in sorted(images.keys() & masks.keys()):
        pairs += 1
        try:
            digest, coverage, found = check_pair(images[pair_id], masks[pair_id], args)
        except Exception:  # noqa: BLE001 - any decode failure is an unreadable file
            problems.append(("error", "unreadable-file"))
            continue
        problems += found
        if digest in seen:
            problems.append(("error", "duplicate-image"))
        seen[digest] = pair_id
        coverages.append(coverage)
    seconds = time.perf_counter() - start
    errors = sum(1 for s, _ in problems if s == "error")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "pairs": pairs,
                "errors": errors,
                "warnings": len(problems) - errors,
                "coverageMedian": float(np.median(coverages)) if coverages else None,
                "seconds": seconds,
                "cpuSeconds": usage.ru_utime + usage.ru_stime,
                "maxRssKb": usage.ru_maxrss,
            }
        )
    )


if __name__ == "__main__":
    sys.exit(main())
