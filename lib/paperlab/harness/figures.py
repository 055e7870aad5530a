"""Figure manifests: find figures without manifests, manifests without figures, and stale sources."""

from __future__ import annotations

import json
from pathlib import Path

from paperlab.core import paths, provenance

IMAGE_SUFFIXES = (".png", ".svg", ".pdf")


def problems(root: Path | None = None) -> list[str]:
    """Human-readable problems with committed figures under ``figures/`` (empty list: all fresh)."""
    root = root or paths.repo_root() / "figures"
    found = []
    for image in sorted(p for p in root.rglob("*") if p.suffix in IMAGE_SUFFIXES):
        if not image.with_suffix(".json").exists():
            found.append(f"{image}: figure without a manifest; regenerate it with `make figures`")
    for manifest_path in sorted(root.rglob("*.json")):
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        paper = manifest.get("paper", manifest_path.parent.name)
        missing = [f for f in manifest.get("files", []) if not (manifest_path.parent / f).exists()]
        if missing or not manifest.get("files"):
            found.append(
                f"{manifest_path}: manifest without its figure {missing}; run `make figures PAPER={paper}`"
            )
            continue
        if provenance.source_hash(manifest["sources"]) != manifest["source_hash"]:
            found.append(
                f"{manifest_path}: stale, its sources changed since it was drawn ({', '.join(manifest['sources'][:3])}"
                f"{', ...' if len(manifest['sources']) > 3 else ''}); regenerate with `make figures PAPER={paper}`"
            )
    return found


def stale_series() -> list[str]:
    """Series whose committed figures are stale or missing their manifests."""
    series = set()
    for problem in problems():
        rel = Path(problem.split(":", 1)[0]).resolve().relative_to(paths.repo_root() / "figures")
        series.add(rel.parts[0])
    return sorted(series)
