"""The report of ``bench_multitask_group.py``: machine line, markdown sections, results files."""

from __future__ import annotations

import json
import math
import os
import subprocess

import numpy as np
from _common import log
from _logistic_setup import comp_cell, env_summary, fastest, fmt_gap, fmt_s, ratio_cell

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SECTION_TITLES = {
    "multitask": "Multi-task Lasso, single solves",
    "group": "Group Lasso, single solves",
    "path": "Paths",
    "scalar": "Scalar Lasso guard (one target)",
    "startup": "Compile and first call (fresh processes)",
    "multinomial": "Multinomial L1 logistic regression, single solves",
}


# -- environment ----------------------------------------------------------------------------

def git_state():
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                              capture_output=True, text=True, check=False).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "lassokit"], cwd=ROOT,
                               capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "git unavailable"
    return f"git {head}" + (" + uncommitted changes in lassokit/" if dirty else ", clean lassokit/")


def machine(adelie):
    """The machine and versions line; adelie's from its own environment (if asked for)."""
    extra = []
    if adelie is not None:
        if adelie.version:
            ad_version, ad_numpy = (adelie.version.split() + ["?"])[:2]
            extra.append(f"adelie {ad_version} (own venv, numpy {ad_numpy})")
        else:
            extra.append(f"adelie unavailable ({adelie.error})")
    return env_summary(("numpy", "scipy", "scikit-learn", "celer", "skglm", "group-lasso",
                        "numba"), extra, lassokit_note=git_state())


# -- tables ---------------------------------------------------------------------------------

def table(rows, single=True):
    comps = []
    for r in rows:
        comps += [c for c in r["competitors"] if c not in comps]
    head = (["problem"] + (["alpha"] if single else [])
            + ["lassokit [s] (gap)"] + [f"{c} [s] (tol; gap)" for c in comps]
            + ["fastest", "lassokit / fastest (cpu)", "(wall)", "lassokit status",
               "lassokit solve share, wall [s]",
               "rows in model (lk)" + ("" if single else ", last alpha")])
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        mine = r["competitors"]
        cells = [r["problem"]] + ([f"amax/{r['ratio']}"] if single else [])
        cells.append(f"{fmt_s(r['cpu']['lassokit'])} ({fmt_gap(r['gaps']['lassokit'])})"
                     if "lassokit" in r["cpu"] else "-")
        cells += [comp_cell(r, c) if c in mine else "n/a" for c in comps]
        cells += [fastest(r, "cpu", mine), ratio_cell(r, "lassokit", "cpu", mine),
                  ratio_cell(r, "lassokit", "wall", mine),
                  str(r["status"].get("lassokit", "-")), fmt_s(r.get("lk_solve")),
                  str(r["nnz"].get("lassokit", "-"))]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def first_table(rows):
    def cell(x):
        return "-" if x is None else f"{x:.2f}"

    out = [("| problem | alpha | first call, wall [s] | numba compile (solution info) [s] | "
            "kernel load [s] |"), "|---|---|---|---|---|"]
    for r in rows:
        f = r.get("first")
        if f:
            out.append(f"| {r['problem']} | {'amax/' + str(r['ratio']) if 'ratio' in r else 'path'}"
                       f" | {f['wall']:.2f} | {cell(f.get('compile'))} | {cell(f.get('load'))} |")
    return "\n".join(out)


def scalar_table(rows):
    out = [("| data | call | CPU s (median) | wall s | all CPU s | solve share s | "
            "rel gap (worst) | status | first call s |"), "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| {r['problem']} ({r['shape']}) | {r['what']} | {r['cpu']:.4f} | "
                   f"{r['wall']:.4f} | {', '.join(f'{c:.4f}' for c in r['cpus'])} | "
                   f"{r['solve']:.4f} | {r['gap']:.1e} | {r['status']} | {r['first']:.2f} |")
    return "\n".join(out)


def startup_table(res):
    if "error" in res:
        return f"startup failed: {res['error']}"
    out = [("In this order in one process (a kernel compiled for an earlier call is not "
            "compiled again); `-`: the call reports no compile time."), "",
           ("| call (200 x 500, K = 4; CSC 400 x 500) | cold cache: first [s] | second [s] | "
            "compile = first - second [s] | compile (solution info) [s] | warm cache: first "
            "[s] | second [s] |"), "|---|---|---|---|---|---|---|"]
    for label, r in res.items():
        c, w = r["cold"], r.get("warm", {})
        info = "-" if math.isnan(c["info_compile"]) else format(c["info_compile"], ".2f")
        out.append(f"| {label} | {c['first']:.2f} | {c['second']:.3f} | "
                   f"{c['first'] - c['second']:.2f} | {info} | "
                   f"{w.get('first', float('nan')):.2f} | {w.get('second', float('nan')):.3f} |")
    return "\n".join(out)


def render_section(case, sec):
    lines = [f"## {SECTION_TITLES[case]}", "",
             f"Measured {sec['date']} (`{sec['command']}`), {sec['env']}", ""]
    data = sec["data"]
    if case in ("multitask", "group", "multinomial"):
        rows = data["rows"] if case == "multinomial" else data
        lines += [(f"CPU seconds, medians of {sec['repeats']} interleaved runs; lassokit at "
                   "tol=1e-6 (its certified gap); competitors at their calibrated tol (the "
                   "re-scored gap of the timed answer; `!` above 1e-6)."), ""]
        lines += [f"- {d}" for d in dict.fromkeys(r["desc"] for r in rows)] + [""]
        lines += [table(rows), "", "lassokit's first call (untimed above):", "",
                  first_table(rows)]
    elif case == "path":
        lines += [(f"{sec['n_alphas']} strengths alpha_max .. alpha_max*{sec['eps']:g} "
                   f"(geometric). CPU seconds, medians of {sec['repeats']}; gap = the worst "
                   "re-scored relative gap over the path. adelie's time is `grpnet` alone, "
                   f"measured in its own process ({sec.get('adelie', 'n/a')})."), ""]
        lines += [f"- {r['desc']}" for r in data] + [""]
        lines += [table(data, single=False), "", "lassokit's first call (untimed above):", "",
                  first_table(data)]
    elif case == "scalar":
        lines += [f"lassokit alone; {sec.get('git', '')}", "", scalar_table(data)]
    elif case == "startup":
        lines += [startup_table(data)]
    return "\n".join(lines)


# -- results files --------------------------------------------------------------------------

def write_results(out_prefix, sections):
    """Merge ``sections`` into the stored results (other cases kept); rewrite the markdown."""
    os.makedirs(os.path.dirname(out_prefix) or ".", exist_ok=True)
    stored = {}
    if os.path.exists(out_prefix + ".json"):
        with open(out_prefix + ".json") as fh:
            stored = json.load(fh)
    stored.update(json.loads(json.dumps(sections, default=_jsonable)))
    with open(out_prefix + ".json", "w") as fh:
        json.dump(stored, fh, indent=1)
    order = [c for c in SECTION_TITLES if c in stored]
    md = ["# Multi-task and group Lasso benchmarks (`benchmarks/bench_multitask_group.py`)", "",
          ("Every gap is lassokit's certificate (`Problem.certify(coef).rel_gap`) of the "
           "answer timed; see the script's docstring for the objectives and each "
           "competitor's alpha."), ""]
    md += [render_section(c, stored[c]) + "\n" for c in order]
    with open(out_prefix + ".md", "w") as fh:
        fh.write("\n".join(md))
    log(f"wrote {out_prefix}.md and .json")


def _jsonable(x):
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, float) and math.isinf(x):
        return "inf"
    return str(x)
