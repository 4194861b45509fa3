"""Cross-check a study's results.parquet with the Python readers analysts use (pyarrow, pandas, polars, DuckDB).

A developer's script, never a project dependency. In a throwaway virtualenv:
    python3 -m venv /tmp/pq && /tmp/pq/bin/pip install --retries 0 pyarrow pandas polars duckdb
    /tmp/pq/bin/python scripts/dev/check_parquet.py results/default
It prints the Arrow schema pyarrow reads, and checks that every column of results.parquet equals results.csv read
by pandas (floats exactly: both hold the same doubles, and pandas parses CSV round-trip with
float_precision="round_trip" only; empty CSV cells = nulls), that the column
types are the schema's (lib/study/columns.ts), and that polars and DuckDB read the same rows.
"""
import math
import sys
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow.parquet as pq

EXPECTED = {  # lib/study/columns.ts COLUMN_TYPES: type, nullable
    "concept": ("string", False), "model": ("string", False), "method": ("string", False), "layer": ("int32", True),
    "strength": ("double", True), "success": ("double", False), "coherence": ("double", False),
    "diversity_sample": ("double", False), "diversity_set": ("double", False), "hm_scd": ("double", False),
    "hm_sc": ("double", False), "auroc": ("double", True), "auroc_ci_low": ("double", True),
    "auroc_ci_high": ("double", True), "beats_prompting": ("bool", True), "delta_vs_prompting": ("double", True),
    "p_vs_prompting": ("double", True), "aurocs": ("string", False), "n_train": ("int32", False),
    "n_test": ("int32", False), "empty_responses": ("int32", False), "detector_note": ("string", True),
    "examples": ("string", False),
}


def same(a, b) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    return a == b


def main(folder: str) -> int:
    parquet, csv = Path(folder) / "results.parquet", Path(folder) / "results.csv"
    table = pq.read_table(parquet)
    print(table.schema.to_string(show_schema_metadata=False))
    problems = []
    for field in table.schema:
        want = EXPECTED.get(field.name)
        if want and (str(field.type), field.nullable) != want:
            problems.append(f"{field.name}: {field.type} nullable={field.nullable}, expected {want}")
    rows = table.to_pylist()
    text_cols = [c for c, (t, _) in EXPECTED.items() if t == "string"]
    ref = pd.read_csv(csv, float_precision="round_trip", dtype={c: str for c in text_cols}, keep_default_na=False, na_values={c: [""] for c in EXPECTED if c not in ("aurocs", "examples")})
    for i, r in enumerate(ref.to_dict("records")):
        for c, v in r.items():
            v = None if isinstance(v, float) and math.isnan(v) else v
            if EXPECTED.get(c, ("", False))[0] == "bool" and v is not None:
                v = {"true": True, "false": False, True: True, False: False}[v]
            if not same(rows[i][c], v):
                problems.append(f"row {i} {c}: parquet {rows[i][c]!r} vs csv {v!r}")
    if pl.read_parquet(parquet).to_dicts() != rows:
        problems.append("polars reads different rows")
    if duckdb.sql(f"select count(*) from '{parquet}'").fetchone()[0] != len(rows):
        problems.append("DuckDB counts a different number of rows")
    print(f"{len(rows)} rows, {len(table.schema)} columns: " + ("OK" if not problems else f"{len(problems)} problems"))
    for p in problems[:20]:
        print("  " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "results/default"))
