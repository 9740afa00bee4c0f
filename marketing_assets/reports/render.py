"""Rendering helpers: ratios, labels, figures to PNG files plus the markdown the UI shows."""

import base64
import io
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: files only

import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402
from PIL import Image  # noqa: E402 (matplotlib's own dependency)
from matplotlib import font_manager  # noqa: E402

plt.rcParams.update({"figure.dpi": 100, "font.size": 10, "axes.titlesize": 11, "axes.grid": True,
                     "grid.alpha": 0.3})

# Fonts that draw the Chinese names the data carries (Debian: fonts-wqy-microhei or fonts-noto-cjk).
CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "SimHei")
CJK_FILES = ("notosanscjk", "sourcehansans", "wqy-microhei", "wqy-zenhei", "simhei")
# Widest inline image the UI's metadata dialog shows without scrolling (the PNG file keeps full size).
INLINE_WIDTH_PX = 760


def _cjk_font() -> str | None:
    """The first CJK family matplotlib knows or this machine has installed since its font
    cache was built; None when there is none (names it cannot draw then become ids)."""
    def known() -> str | None:
        names = {f.name for f in font_manager.fontManager.ttflist}
        return next((n for n in CJK_FAMILIES if n in names), None)

    if known() is None:
        for path in font_manager.findSystemFonts():
            if any(part in Path(path).name.lower() for part in CJK_FILES):
                font_manager.fontManager.addfont(path)
    return known()


CJK_FONT = _cjk_font()
if CJK_FONT:
    plt.rcParams["font.family"] = ["DejaVu Sans", CJK_FONT]  # Latin from DejaVu, glyphs it lacks from CJK_FONT


def yuan(fen: pl.Expr | str) -> pl.Expr:
    col = pl.col(fen) if isinstance(fen, str) else fen
    return col.cast(pl.Float64) / 100


def ratio(num: pl.Expr | str, den: pl.Expr | str) -> pl.Expr:
    """``num / den`` as Float64, null where ``den`` is 0 or null. DuckDB sums arrive as
    Decimal(38, 0) and a quotient of two of them keeps scale 0 (2 / 3 = 1), so every ratio
    of a report goes through here."""
    n = pl.col(num) if isinstance(num, str) else num
    d = pl.col(den) if isinstance(den, str) else den
    return pl.when(d > 0).then(n.cast(pl.Float64) / d.cast(pl.Float64))


def labels(names: pl.Series, ids: pl.Series) -> list[str]:
    """Plot labels from the names the data carries; the id where a name is missing or
    cannot be drawn (no CJK font), and ``name (id)`` where two rows share a name."""
    frame = pl.DataFrame({"name": names.cast(pl.String), "id": ids.cast(pl.String)})
    drawable = pl.col("name").is_not_null()
    if CJK_FONT is None:
        drawable = drawable & pl.col("name").str.contains(r"^[\x00-\x7f]*$")
    return frame.select(
        pl.when(~drawable).then(pl.col("id"))
        .when(pl.col("name").is_duplicated()).then(pl.format("{} ({})", "name", "id"))
        .otherwise(pl.col("name"))
    ).to_series().to_list()


def _replace(path: Path, content: bytes) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(content)
    os.replace(partial, path)


def _shrunk(png: bytes, width: int) -> bytes:
    """The PNG scaled down to at most ``width`` pixels wide (drawing the figure a second
    time at a lower dpi cost as much as the first drawing: seconds with a CJK fallback font)."""
    image = Image.open(io.BytesIO(png))
    if image.width > width:
        # reduce() averages whole pixel blocks first: a fraction of LANCZOS's cost on a full image
        factor = max(1, image.width // width)
        image = image.reduce(factor) if factor > 1 else image
        if image.width > width:
            image = image.resize((width, round(image.height * width / image.width)), Image.Resampling.BILINEAR)
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=6)
    return out.getvalue()


def save(fig, folder: Path, name: str, data: pl.DataFrame) -> tuple[Path, Path, str]:
    """Write the figure (PNG) and the numbers it plots (CSV) under ``folder``; return both
    paths and a markdown block with a copy of the image at most ``INLINE_WIDTH_PX`` wide
    inlined (the UI shows it)."""
    folder.mkdir(parents=True, exist_ok=True)
    png, csv = folder / f"{name}.png", folder / f"{name}.csv"
    buffer = io.BytesIO()
    # the boards lay out with layout="constrained": no bbox_inches="tight", which draws the
    # whole figure a second time to measure it (measured: half of a board's save time)
    fig.savefig(buffer, format="png")
    plt.close(fig)
    inline = _shrunk(buffer.getvalue(), INLINE_WIDTH_PX)
    # each file whole or not at all: a killed run leaves the old file, never half a new one
    _replace(png, buffer.getvalue())
    _replace(csv, data.write_csv().encode())
    encoded = base64.b64encode(inline).decode()
    return png, csv, f"![{name}](data:image/png;base64,{encoded})"
