"""Rendering helpers: ratios, labels, figures to PNG files plus the markdown the UI shows."""

import base64
import io
import os
import threading
from pathlib import Path

import matplotlib
import numpy as np
import polars as pl
from PIL import Image  # matplotlib's own dependency
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

# no pyplot: the boards are plain Agg figures (no display, no pyplot registry to close them in)
# axes.titley fixed: no search for x tick labels above the axes (there are none) before each
# title is drawn, which measured every tick label of the figure again
matplotlib.rcParams.update({"figure.dpi": 100, "font.size": 10, "axes.titlesize": 11, "axes.titley": 1.0,
                            "axes.grid": True, "grid.alpha": 0.3})

# Fonts that draw the Chinese names the data carries (Debian: fonts-wqy-microhei or fonts-noto-cjk).
CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "SimHei")
CJK_FILES = ("notosanscjk", "sourcehansans", "wqy-microhei", "wqy-zenhei", "simhei")
# Widest inline image the UI's metadata dialog shows without scrolling (the PNG file keeps full size).
INLINE_WIDTH_PX = 760
# zlib level of both PNGs: level 1 encodes in about half the time of the default 6, files ~1 % larger
PNG_COMPRESS_LEVEL = 1


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
    matplotlib.rcParams["font.family"] = ["DejaVu Sans", CJK_FONT]  # Latin from DejaVu, glyphs it lacks from CJK_FONT


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


_FRAMES = threading.local()


def _frames() -> dict:
    """This thread's board frames by name (a range run draws its days one after another)."""
    if not hasattr(_FRAMES, "boards"):
        _FRAMES.boards = {}
    return _FRAMES.boards


# y axis labels this far (inches) outside their axes: room for tick labels of six digits
AXIS_LABEL_GAP = 0.6


def place_axis_labels(ax, side: str = "left") -> None:
    """Fixed positions for the axis labels of ``ax``: matplotlib otherwise measures every
    tick label of the axes and of its siblings on each drawing to place them."""
    width = ax.get_position().width * ax.get_figure(root=True).get_figwidth()
    offset = AXIS_LABEL_GAP / width
    ax.yaxis.set_label_coords(-offset if side == "left" else 1 + offset, 0.5)
    ax.xaxis.set_label_coords(0.5, 0)  # no board labels an x axis


def frame(board: str, rows: int, cols: int, size: tuple[float, float], *, left: float, right: float,
          top: float, bottom: float, hgap: float, wgap: float):
    """The figure and ``rows`` x ``cols`` axes of ``board``: made on its first call in this
    thread, the same ones on every later call, so a range run builds each board's figure,
    axes and ticks once and only redraws the artists of each day (see ``boards._clear``).
    Margins and gaps are fixed, in inches: no layout engine, which measures every text of
    the figure in a dry draw before the real one (measured: 35-60 % of a board's drawing).
    The figure is redrawn by the board's next call: save it before drawing another day."""
    boards = _frames()
    if board not in boards:
        fig = Figure(figsize=size)
        FigureCanvasAgg(fig)
        width, height = size
        axes_width = (width - left - right - (cols - 1) * wgap) / cols
        axes_height = (height - top - bottom - (rows - 1) * hgap) / rows
        axes = fig.subplots(rows, cols, squeeze=False, gridspec_kw={
            "left": left / width, "right": 1 - right / width, "top": 1 - top / height,
            "bottom": bottom / height, "wspace": wgap / axes_width, "hspace": hgap / axes_height})
        for ax in axes.flat:
            place_axis_labels(ax)
        boards[board] = fig, axes
    return boards[board]


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=PNG_COMPRESS_LEVEL)
    return out.getvalue()


def _shrunk(image: Image.Image, width: int) -> Image.Image:
    """The image scaled down to at most ``width`` pixels wide (drawing the figure a second
    time at a lower dpi would cost as much as the first drawing)."""
    if image.width > width:
        # reduce() averages whole pixel blocks first: a fraction of LANCZOS's cost on a full image
        factor = max(1, image.width // width)
        image = image.reduce(factor) if factor > 1 else image
        if image.width > width:
            image = image.resize((width, round(image.height * width / image.width)), Image.Resampling.BILINEAR)
    return image


def save(fig, folder: Path, name: str, data: pl.DataFrame) -> tuple[Path, Path, str]:
    """Write the figure (PNG) and the numbers it plots (CSV) under ``folder``; return both
    paths and a markdown block with a copy of the image at most ``INLINE_WIDTH_PX`` wide
    inlined (the UI shows it)."""
    folder.mkdir(parents=True, exist_ok=True)
    png, csv = folder / f"{name}.png", folder / f"{name}.csv"
    # one drawing, its pixels encoded straight from the canvas (no PNG decoded back for the
    # inline copy); the figure is opaque white, so RGB loses nothing and encodes faster
    fig.canvas.draw()
    image = Image.fromarray(np.asarray(fig.canvas.buffer_rgba())).convert("RGB")
    inline = _png(_shrunk(image, INLINE_WIDTH_PX))
    # each file whole or not at all: a killed run leaves the old file, never half a new one
    _replace(png, _png(image))
    _replace(csv, data.write_csv().encode())
    encoded = base64.b64encode(inline).decode()
    return png, csv, f"![{name}](data:image/png;base64,{encoded})"
