#!/usr/bin/env python3
"""Train the main-text block classifier and print its cross-set table.

For every page of the three gold sets under ../shared/eval the page's blocks
(`blocks.segment`, beside this script) get their features and, where the gold says
so, a label: on the sets with body gold a block is main text when at least
half of its word trigrams are in the gold body; on trafilatura's snippet set a
block holding a `with` snippet is main text and one holding a `without`
snippet is not (the others carry no label).

The cross-set table decides whether the model ships: for each set X a model
trained on the other two sets is run end to end (`parse_html`, the scorers
of ../shared/eval) on X, beside the rules alone (classifier off), the shipped
model (trained on all three: in-sample, for reference only) and bare
trafilatura. trafilatura's own passes are cached per page, so every column
measures the same extraction at a fraction of the cost.

An experiment, not part of the package: in its cross-set table the model
never beat the rules on a held-out set (README, "Main text"), so the pipeline
does not use it. "Classifier on" here means `maintext.trafilatura_paragraphs`
wrapped so that the model corrects its paragraphs (`blocks.main_blocks`).

Deterministic (fixed seeds, one thread). Writes bench/blocks/blocks_model.txt
(not versioned) unless --dry-run.

Usage: bench/blocks/train.py [--sample N] [--dry-run] [--cache FILE]
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import pickle
import sys
from pathlib import Path
from types import ModuleType

import numpy as np

REPO = Path(__file__).resolve().parents[2]
EVAL = REPO.parent / "shared" / "eval"
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import blocks  # noqa: E402
import lightgbm  # noqa: E402
from trafilatura import bare_extraction  # noqa: E402

import newsetl.page.maintext as maintext  # noqa: E402
from newsetl.models import Rejected  # noqa: E402
from newsetl.page.clean import match_key  # noqa: E402
from newsetl.page.decode import decode  # noqa: E402
from newsetl.page.metadata import pick_title, read_head  # noqa: E402
from newsetl.page.webpage import parse_html, parse_tree  # noqa: E402

SETS = {"zyte-dev": "body", "fundus-dev": "body", "trafilatura-dev": "snippets"}
PARAMS = {"objective": "binary", "learning_rate": 0.05, "num_leaves": 7,
          "min_data_in_leaf": 100, "feature_fraction": 0.5, "bagging_fraction": 0.8,
          "bagging_freq": 1, "lambda_l2": 1.0, "seed": 7, "deterministic": True,
          "force_row_wise": True, "num_threads": 1, "verbose": -1}
ROUNDS = 100
LABEL_SHARE = 0.5

_current: list[str] = [""]
_cache: dict[tuple, list[str]] = {}
_real_trafilatura = maintext._trafilatura


def _cached_trafilatura(tree, url, **options):
    """trafilatura's passes, once per page and options (they do not depend on the model)."""
    key = (_current[0], tuple(sorted(options.items())))
    if key not in _cache:
        _cache[key] = _real_trafilatura(tree, url, **options)
    return list(_cache[key])


maintext._trafilatura = _cached_trafilatura


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name.replace(".py", ""), EVAL / name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def snippet_norm(text: str) -> str:
    return " ".join(text.split())


def labels(kind: str, gold: dict, page_blocks: list[dict]) -> np.ndarray:
    """1 main text, 0 not, -1 no label."""
    y = np.full(len(page_blocks), -1.0, dtype=np.float32)
    if kind == "body":
        key = match_key(gold.get("body") or "")
        grams, joined = blocks.trigrams(key), f" {key} "
        for i, b in enumerate(page_blocks):
            y[i] = blocks.coverage(match_key(b["text"]), grams, joined) >= LABEL_SHARE
        return y
    with_ = [snippet_norm(s) for s in gold.get("with", [])]
    without = [snippet_norm(s) for s in gold.get("without", [])]
    for i, b in enumerate(page_blocks):
        text = b["text"]
        if any(s and s in text for s in without):
            y[i] = 0
        elif any(s and s in text for s in with_):
            y[i] = 1
        elif len(text.split()) >= 3 and any(text in s for s in with_):
            y[i] = 1  # a snippet spanning blocks: each whole block inside it
    return y


def page_rows(kind: str, pid: str, path: Path, gold: dict) -> tuple[np.ndarray, np.ndarray] | None:
    _current[0] = pid
    decoded = decode(gzip.decompress(path.read_bytes()), html=True)
    tree = parse_tree(decoded.text)
    if tree is None:
        return None
    head = read_head(tree)
    paras = maintext.trafilatura_paragraphs(tree, None)
    ld = head.article.get("articleBody")
    page_blocks = blocks.segment(tree)
    if not page_blocks:
        return None
    x = blocks.features(page_blocks, paras, ld if isinstance(ld, str) else None,
                        pick_title(head)[0])
    return x, labels(kind, gold, page_blocks)


def train(sets: list[list[tuple[np.ndarray, np.ndarray]]]) -> lightgbm.Booster:
    """One model over the labelled blocks of `sets`, each set weighing as much as another."""
    xs, ys, ws = [], [], []
    for data in sets:
        before = len(ws)
        add_rows(data, xs, ys, ws)
        total = sum(w.sum() for w in ws[before:])
        ws[before:] = [w / total for w in ws[before:]]
    ds = lightgbm.Dataset(np.vstack(xs), np.concatenate(ys), weight=np.concatenate(ws) * 1e4,
                          feature_name=blocks.FEATURES, categorical_feature=blocks.CATEGORICAL,
                          free_raw_data=False)
    return lightgbm.train(PARAMS, ds, num_boost_round=ROUNDS)


def add_rows(data: list[tuple[np.ndarray, np.ndarray]], xs: list, ys: list, ws: list) -> None:
    for x, y in data:
        mask = y >= 0
        if not mask.any():
            continue
        xs.append(x[mask])
        ys.append(y[mask])
        # Long blocks weigh more (F1 counts words), each page about as much as another.
        w = x[mask, 0]  # log1p(chars)
        ws.append(w / np.sqrt(mask.sum()))


_rules = maintext.trafilatura_paragraphs


def _classified(tree, url, head=None):
    """trafilatura's paragraphs as the active model corrects them (the rules if it declines)."""
    head = head if head is not None else read_head(tree)
    paras = _rules(tree, url, head)
    ld = head.article.get("articleBody")
    picked = blocks.main_blocks(tree, paras, ld if isinstance(ld, str) else None,
                                pick_title(head)[0])
    return picked if picked and maintext.has_prose(picked) else paras


def run_set(kind: str, pages: dict[str, Path], gold: dict[str, dict], scorers: dict,
            model, use: bool) -> dict[str, float]:
    """End to end on one set: figures per subset (body F1, or snippet F1 all/dated/undated)."""
    if use:
        maintext.trafilatura_paragraphs = _classified
    blocks.override = model
    bodies = {}
    for pid, path in pages.items():
        _current[0] = pid
        try:
            bodies[pid] = parse_html(gzip.decompress(path.read_bytes())).body
        except Rejected:
            bodies[pid] = ""
    blocks.override = None
    maintext.trafilatura_paragraphs = _rules
    return score(kind, bodies, gold, scorers)


def score(kind: str, bodies: dict[str, str], gold: dict[str, dict], scorers: dict) -> dict:
    if kind == "body":
        mod = scorers["score.py"]
        rows = [mod.score_article(gold[i], {"body": bodies.get(i) or ""}) for i in gold]
        return {"body F1": mod.aggregate(rows)["body_f1"]}
    mod = scorers["score_snippets.py"]
    rows = {i: mod.score_page(gold[i], bodies.get(i) or "") for i in gold}
    dated = [i for i in gold if gold[i].get("published")]
    undated = [i for i in gold if not gold[i].get("published")]
    return {"snippet F1": mod.aggregate(list(rows.values()))["f1"],
            "dated": mod.aggregate([rows[i] for i in dated])["f1"],
            "undated": mod.aggregate([rows[i] for i in undated])["f1"]}


def bare_trafilatura(pages: dict[str, Path]) -> dict[str, str]:
    out = {}
    for pid, path in pages.items():
        doc = bare_extraction(gzip.decompress(path.read_bytes()), with_metadata=True)
        out[pid] = (doc.text if doc is not None else "") or ""
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=None, help="N pages per set (quick runs)")
    parser.add_argument("--dry-run", action="store_true", help="do not write the model file")
    parser.add_argument("--bars", default=f"{blocks.DROP_BELOW},{blocks.ADD_FROM}",
                        help="DROP_BELOW,ADD_FROM pairs to try, ';'-separated")
    parser.add_argument("--no-shipped", action="store_true",
                        help="skip the in-sample column (quicker)")
    parser.add_argument("--no-traf", action="store_true", help="skip the bare trafilatura column")
    parser.add_argument("--cache", type=Path, default=None,
                        help="pickle of trafilatura's passes per page, reused across runs")
    args = parser.parse_args()
    if args.cache and args.cache.is_file():
        _cache.update(pickle.loads(args.cache.read_bytes()))
    scorers = {n: _load(n) for n in ("score.py", "score_snippets.py")}
    pages, gold, data = {}, {}, {}
    for name in SETS:
        found = sorted(EVAL.glob(f"{name}/*/page.html.gz"))
        if args.sample:
            step = len(found) / min(args.sample, len(found))
            found = [found[int(k * step)] for k in range(min(args.sample, len(found)))]
        pages[name] = {p.parent.name: p for p in found}
        gold[name] = {pid: json.loads((p.parent / "expected.json").read_text("utf-8"))
                      for pid, p in pages[name].items()}
        rows = [page_rows(SETS[name], pid, p, gold[name][pid]) for pid, p in pages[name].items()]
        data[name] = [r for r in rows if r is not None]
        n_lab = sum(int((y >= 0).sum()) for _, y in data[name])
        print(f"{name}: {len(data[name])} pages, {n_lab} labelled blocks", file=sys.stderr)
    if args.cache:
        args.cache.write_bytes(pickle.dumps(_cache))
    shipped = train([data[name] for name in SETS])
    print("\ncross-set table (held-out set X: model trained on the other two)")
    print(f"{'set':16s} {'figure':11s} {'rules':>7s} {'held-out':>9s} {'shipped':>8s} "
          f"{'trafilatura':>12s}")
    for name, kind in SETS.items():
        fold = train([data[other] for other in SETS if other != name])
        rules = run_set(kind, pages[name], gold[name], scorers, None, False)
        traf = ({} if args.no_traf else
                score(kind, bare_trafilatura(pages[name]), gold[name], scorers))
        for bars in args.bars.split(";"):
            blocks.DROP_BELOW, blocks.ADD_FROM = map(float, bars.split(","))
            held = run_set(kind, pages[name], gold[name], scorers, fold, True)
            ship = ({} if args.no_shipped else
                    run_set(kind, pages[name], gold[name], scorers, shipped, True))
            for figure in rules:
                t, s = traf.get(figure), ship.get(figure)
                print(f"{name:16s} {figure:11s} {rules[figure]:7.3f} {held[figure]:9.3f} "
                      f"{'-' if s is None else f'{s:.3f}':>8s} "
                      f"{'-' if t is None else f'{t:.3f}':>12s}  {bars}", flush=True)
    if not args.dry_run:
        shipped.save_model(str(blocks.MODEL_FILE))
        print(f"\nwrote {blocks.MODEL_FILE.relative_to(REPO)} "
              f"({blocks.MODEL_FILE.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
