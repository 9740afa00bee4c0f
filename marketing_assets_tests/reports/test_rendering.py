"""The cheap rendering of the boards: a board's frame (figure, axes, ticks) is reused from
day to day, texts are drawn from kept glyph bitmaps, axis labels sit at fixed places. Each
must leave the picture what a fresh figure drawn by plain Agg shows."""

from __future__ import annotations

import io

import numpy as np
import polars as pl
import pytest
from PIL import Image

from marketing_assets.reports import boards, render
from marketing_assets.reports import assets as r
from marketing_assets_tests.reports._hand import D, EMPTY_DAY, campaign_tables, seller_tables, warehouse


def _pixels(path) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(path.read_bytes())).convert("RGB")).astype(int)


def _sellers(n: int, pay: int, discount: int) -> pl.DataFrame:
    return pl.DataFrame({"seller_id": [f"s{i}" for i in range(n)], "stat_period": [30] * n, "pay_amt": [pay] * n,
                         "discount_amt": [discount] * n, "roi": [pay / discount] * n},
                        schema_overrides={"stat_period": pl.Int32})


@pytest.mark.parametrize("name, tables, before", [
    # six sellers with a second axis, then the three hand-made ones: no bar, tick or legend left over
    ("merchant_board", seller_tables, lambda: (_sellers(6, 1000, 100), _sellers(6, 1000, 100))),
    # an empty day first (no second axes, ticks removed), then the day with every panel drawn
    ("campaign_monitor", campaign_tables, None),
])
def test_a_reused_frame_draws_the_day_as_a_fresh_figure_does(tmp_path, name, tables, before):
    _, read, draw, _, _ = r.REPORTS[name]
    wh = warehouse(tmp_path / "wh.duckdb", tables())
    render._frames().clear()
    fresh, _ = draw(D, *read(wh, D))
    png_fresh, _, _ = render.save(fresh, tmp_path / "fresh", "day", pl.DataFrame())
    fresh_axes = len(fresh.axes)

    render._frames().clear()
    draw(EMPTY_DAY, *(before() if before else read(wh, EMPTY_DAY)))  # the frame's earlier day
    reused, _ = draw(D, *read(wh, D))
    png_reused, _, _ = render.save(reused, tmp_path / "reused", "day", pl.DataFrame())

    assert len(reused.axes) == fresh_axes
    a, b = _pixels(png_fresh), _pixels(png_reused)
    width, height = {"merchant_board": (12, 5), "campaign_monitor": (12, 9)}[name]
    assert a.shape == b.shape == (height * 100, width * 100, 3)  # figsize x 100 dpi, opaque RGB
    assert np.array_equal(a, b)


def test_axis_labels_at_fixed_places_clear_the_tick_labels_of_large_numbers():
    # 30-day pay of 2,500,000.00 yuan per seller on the second axis, cost 12,000.00 yuan
    frame = _sellers(5, 250_000_000, 1_200_000)
    render._frames().clear()
    fig, _ = boards.merchant_board(D, frame, frame)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()

    def shown(ax):  # the tick labels inside the axes' y range, the ones drawn
        low, high = ax.get_ylim()
        return [t for t in ax.get_yticklabels() if t.get_text() and low <= t.get_position()[1] <= high]

    pay, cost = {t.get_text() for t in shown(fig.axes[2])}, {t.get_text() for t in shown(fig.axes[0])}
    assert {"0", "1M", "3M"} <= pay and "10k" in cost  # 3,000,000 and 10,000 yuan, no offset text
    assert max(len(text) for text in pay | cost) <= 6
    labels = [ax.yaxis.label.get_window_extent(renderer) for ax in fig.axes]
    ticks = [t.get_window_extent(renderer) for ax in fig.axes for t in shown(ax)]
    assert len(ticks) >= 12  # three axes of four or more ticks each
    assert not any(label.overlaps(tick) for label in labels for tick in ticks)
    assert not any(a.overlaps(b) for i, a in enumerate(labels) for b in labels[i + 1:])


def test_a_name_wider_than_the_gap_under_the_panel_is_cut_on_the_plot_only():
    long_id = "店铺" * 10  # 20 CJK characters: 40 half-widths, the gap holds 32
    frame = pl.DataFrame({"seller_id": [long_id, "s" * 32], "stat_period": [30, 30], "pay_amt": [900, 800],
                          "discount_amt": [300, 200], "roi": [3.0, 4.0]}, schema_overrides={"stat_period": pl.Int32})
    render._frames().clear()
    fig, data = boards.merchant_board(D, frame, frame)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["店铺" * 7 + "店…", "s" * 32]
    assert data["seller_id"].to_list() == [long_id, "s" * 32]  # the CSV keeps the whole name
