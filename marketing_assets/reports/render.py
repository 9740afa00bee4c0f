"""Rendering helpers: figures to PNG files plus the markdown the UI shows."""

import base64
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: files only

import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402

plt.rcParams.update({"figure.dpi": 100, "font.size": 10, "axes.titlesize": 11, "axes.grid": True,
                     "grid.alpha": 0.3})


def yuan(fen: pl.Expr | str) -> pl.Expr:
    col = pl.col(fen) if isinstance(fen, str) else fen
    return col.cast(pl.Float64) / 100


def save(fig, folder: Path, name: str, data: pl.DataFrame) -> tuple[Path, Path, str]:
    """Write the figure (PNG) and the numbers it plots (CSV) under ``folder``; return both
    paths and a markdown block with the image inlined (the UI shows it)."""
    folder.mkdir(parents=True, exist_ok=True)
    png, csv = folder / f"{name}.png", folder / f"{name}.csv"
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    png.write_bytes(buffer.getvalue())
    data.write_csv(csv)
    encoded = base64.b64encode(buffer.getvalue()).decode()
    return png, csv, f"![{name}](data:image/png;base64,{encoded})"
