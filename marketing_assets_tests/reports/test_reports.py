"""The report assets against small hand-made DM/APP tables: every ratio is the float
quotient of the table's numbers (money stays integer fen), the plots show what the CSV
says under the names the data carries, and each partition of a range run carries its own
day's plot and paths."""

from __future__ import annotations

import base64
import datetime as dt
import re
import struct

import polars as pl
import pytest
from dagster import AssetKey, AssetRecordsFilter, instance_for_test, materialize

from marketing_assets import config
from marketing_assets.reports import boards, render
from marketing_assets.reports import assets as r
from marketing_assets_tests.reports._hand import (
    D, D1, EMPTY_DAY, campaign_tables, growth_tables, platform_metrics, seller_tables, warehouse,
)

ASSETS = {a.key.path[-1]: a for a in r.report_assets}


def _run(name: str, wh, **kwargs):
    result = materialize([ASSETS[name]], resources={"warehouse": wh}, **kwargs)
    assert result.success
    return result


def _csv(reports, name: str, day: dt.date = D) -> pl.DataFrame:
    return pl.read_csv(reports / name / f"{day}.csv")


def _heights(ax) -> list[float]:
    return [round(p.get_height(), 4) for p in ax.patches]


def _ticks(ax) -> list[str]:
    return [t.get_text() for t in ax.get_xticklabels()]


def _png_width(data: bytes) -> int:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">I", data[16:20])[0]


@pytest.fixture
def reports(tmp_path, monkeypatch):
    monkeypatch.setenv(config.REPORTS_DIR_ENV, str(tmp_path / "reports"))
    return tmp_path / "reports"


@pytest.mark.parametrize("unclaimed_rows", [False, True], ids=["claims_only", "whole_funnel"])
def test_growth_funnel_rates_are_float_quotients_of_the_tables(tmp_path, reports, unclaimed_rows):
    wh = warehouse(tmp_path / "wh.duckdb", growth_tables(unclaimed_rows))
    _run("growth_funnel", wh, partition_key=D.isoformat())
    data = _csv(reports, "growth_funnel")
    for cut, first, second in (("launch_plan", 401, 402), ("strategy", 5001, 5004), ("scene", 201, 202)):
        rows = {row["id"]: row for row in data.filter(pl.col("cut") == cut).iter_rows(named=True)}
        a, b = rows[first], rows[second]
        assert (a["triggered"], a["claimed"], a["used"], a["cost_amt"], a["pay_amt"]) == (3, 2, 1, 300, 1000)
        assert a["claim_rate"] == pytest.approx(2 / 3) and a["use_rate"] == 0.5 and a["roi"] == pytest.approx(10 / 3)
        assert (b["triggered"], b["claimed"], b["used"], b["cost_amt"]) == (1, 1, 0, 0)
        assert (b["claim_rate"], b["use_rate"], b["roi"]) == (1.0, 0.0, None)  # no cost: no ROI
    assert data["cost_amt"].dtype == pl.Int64 and data["claim_rate"].dtype == pl.Float64
    uplift = {row["id"]: row for row in data.filter(pl.col("cut") == "uplift_by_strategy").iter_rows(named=True)}
    assert (uplift[5001]["treated_user_cnt"], uplift[5001]["treated_payer_cnt"]) == (3, 1)
    assert (uplift[5001]["blank_user_cnt"], uplift[5001]["blank_payer_cnt"]) == (2, 1)
    assert uplift[5001]["treated_pay_rate"] == pytest.approx(1 / 3) and uplift[5001]["blank_pay_rate"] == 0.5
    assert uplift[5001]["uplift"] == pytest.approx(1 / 3 - 1 / 2)
    assert (uplift[5004]["treated_pay_rate"], uplift[5004]["blank_pay_rate"], uplift[5004]["uplift"]) == (0.0, None, None)

    fig, _ = boards.growth_funnel(D, *r.read_growth(wh, D))
    plan, strategy, scene, cost, lift = fig.axes[:5]
    assert _ticks(plan) == ["daily acquisition", "daily conversion"]
    assert _ticks(strategy) == _ticks(lift) == ["home new buyer A", "cart keep A"]
    assert _ticks(scene) == ["home", "cart"]
    assert _heights(plan) == [3, 1, 2, 1, 1, 0]  # triggered, claimed, used of each plan
    assert _heights(cost) == [3.0, 0.0]  # yuan; the ROI is on its own axis
    roi_axis = next(ax for ax in fig.axes[6:] if ax.bbox.bounds == cost.bbox.bounds)
    assert _heights(roi_axis) == [round(10 / 3, 4), 0.0]
    assert _heights(lift) == [round(100 / 3, 4), 0.0, 50.0, 0.0]


def test_campaign_monitor_attainment_and_conversion_are_float_quotients(tmp_path, reports):
    wh = warehouse(tmp_path / "wh.duckdb", campaign_tables())
    _run("campaign_monitor", wh, partition_key=D.isoformat())
    data = _csv(reports, "campaign_monitor")
    gmv = {row["id"]: row for row in data.filter(pl.col("part") == "gmv").iter_rows(named=True)}
    assert (gmv[7001]["gmv_amt"], gmv[7001]["gmv_target"], gmv[7001]["cost_amt"], gmv[7001]["budget"]) == (
        30000, 300000, 1000, 3000)
    assert gmv[7001]["gmv_attainment"] == pytest.approx(0.1) and gmv[7001]["budget_used"] == pytest.approx(1 / 3)
    assert (gmv[7002]["gmv_amt"], gmv[7002]["gmv_attainment"], gmv[7002]["budget_used"]) == (0, 0.0, 0.0)
    funnel = data.filter(pl.col("part") == "funnel").row(0, named=True)
    assert (funnel["id"], funnel["visitor_cnt"], funnel["buyer_cnt"]) == (7001, 3, 2)
    assert funnel["conversion"] == pytest.approx(2 / 3)

    fig, _ = boards.campaign_monitor(D, *r.read_campaign(wh, D))
    money, visits, supply, presale = fig.axes[:4]
    assert _ticks(money) == ["summer sale", "spring sale"] and _ticks(visits) == ["summer sale"]
    assert _heights(money) == [10.0, 0.0, round(100 / 3, 4), 0.0]  # % of target and budget: no swamping
    assert _heights(visits) == [3, 2]
    twins = {ax.bbox.bounds: ax for ax in fig.axes[4:]}
    assert _heights(twins[visits.bbox.bounds]) == [round(200 / 3, 4)]
    assert _heights(supply) == [9, 6] and _heights(twins[supply.bbox.bounds]) == [120]  # goods on their own axis
    assert _heights(presale) == [4, 3, 1]


@pytest.mark.parametrize("name, tables", [
    ("campaign_monitor", campaign_tables), ("growth_funnel", lambda: growth_tables(True)),
    ("platform_board", lambda: {r.METRICS: platform_metrics([D])}), ("merchant_board", seller_tables),
])
def test_a_day_without_rows_says_so_in_each_panel(tmp_path, name, tables):
    _, read, draw, _, _ = r.REPORTS[name]
    fig, data = draw(EMPTY_DAY, *read(warehouse(tmp_path / "wh.duckdb", tables()), EMPTY_DAY))
    assert data.height == 0
    for ax in fig.axes:  # no axis around zero (y -0.04..0.04): a sentence instead
        assert len(ax.patches) == len(ax.lines) == 0 and [t.get_text()[:3] for t in ax.texts] == ["no "]


def test_merchant_board_shows_the_top_sellers_by_cost_highest_first(tmp_path, reports):
    wh = warehouse(tmp_path / "wh.duckdb", seller_tables())
    _run("merchant_board", wh, partition_key=D.isoformat())
    data = _csv(reports, "merchant_board")
    assert data["seller_id"].to_list() == ["s2", "s3", "s1"]  # cost 3.50, 2.00, 1.00 yuan
    assert data["cost_30d_amt"].to_list() == [350, 200, 100]
    fig, _ = boards.merchant_board(D, *r.read_merchant(wh, D))
    cost, roi, pay = fig.axes
    assert _ticks(cost) == _ticks(roi) == ["s2", "s3", "s1"]
    assert _heights(cost) == [0.5, 2.0, 1.0, 3.0, 0.0, 0.0]  # coupon cost, promotion cost (yuan)
    assert _heights(pay) == [4.0, 9.0, 2.5]  # pay with coupons on the second axis, unscaled
    assert _heights(roi)[-3:] == [8.0, 4.5, 2.5]  # the table's 30-day coupon ROI
    labels = [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]
    assert labels and not any("÷" in label for label in labels)


def test_legends_cover_no_bar_even_when_the_bars_fill_the_panel():
    sellers = [f"s{i}" for i in range(6)]  # equal bars everywhere: no free corner for a legend
    frame = pl.DataFrame({"seller_id": sellers, "stat_period": [30] * 6, "pay_amt": [1000] * 6,
                          "discount_amt": [100] * 6, "roi": [10.0] * 6}, schema_overrides={"stat_period": pl.Int32})
    fig, _ = boards.merchant_board(D, frame, frame)
    fig.canvas.draw()
    legends = [ax for ax in fig.axes if ax.get_legend() is not None]
    assert len(legends) == 2
    for ax in legends:
        box = ax.get_legend().get_window_extent()
        bars = [p for other in fig.axes if other.bbox.bounds == ax.bbox.bounds for p in other.patches]
        assert bars and not any(box.overlaps(p.get_window_extent()) for p in bars)


def test_each_partition_of_a_range_run_carries_its_own_plot_and_paths(tmp_path, reports):
    wh = warehouse(tmp_path / "wh.duckdb", {r.METRICS: platform_metrics([D, D1])})
    key = AssetKey(["reports", "platform_board"])
    with instance_for_test() as instance:  # a temporary instance of its own
        _run("platform_board", wh, instance=instance, tags={
            "dagster/asset_partition_range_start": D.isoformat(),
            "dagster/asset_partition_range_end": D1.isoformat()})
        shown = {}
        for i, day in enumerate((D, D1)):
            records = instance.fetch_materializations(
                AssetRecordsFilter(asset_key=key, asset_partitions=[day.isoformat()]), limit=1).records
            metadata = records[0].asset_materialization.metadata
            assert metadata["png"].value == str(reports / "platform_board" / f"{day}.png")
            assert metadata["csv"].value == str(reports / "platform_board" / f"{day}.csv")
            assert metadata["dab"].value == 100 + i and f"— {day}" in metadata["report"].value
            shown[day] = metadata["report"].value.split("base64,")[1]
    assert shown[D] != shown[D1]
    assert _csv(reports, "platform_board", D)["dab"].to_list() == [100]
    assert _csv(reports, "platform_board", D1)["dab"].to_list() == [100, 101]


def test_the_inline_plot_fits_the_dialog_and_the_file_keeps_full_size(tmp_path):
    fig, data = boards.platform_board(D, platform_metrics([D]))
    png, _, markdown = render.save(fig, tmp_path / "out", "day", data)
    inline = base64.b64decode(markdown.split("base64,")[1].rstrip(")"))
    assert _png_width(inline) <= render.INLINE_WIDTH_PX < _png_width(png.read_bytes())


def test_report_descriptions_keep_their_placeholders_in_code_spans():
    for name, report in ASSETS.items():
        description = report.specs_by_key[report.key].description
        assert f"`<reports dir>/{name}/<dt>.png`" in description
        assert "<" not in re.sub(r"`[^`]*`", "", description)  # markdown would take it for a tag


def test_labels_are_the_names_the_data_carries(monkeypatch):
    names = pl.Series(["大促", "2025 618", None, "twin", "twin"])
    ids = pl.Series([1, 2, 3, 4, 5])
    monkeypatch.setattr(render, "CJK_FONT", "Some CJK Font")
    assert render.labels(names, ids) == ["大促", "2025 618", "3", "twin (4)", "twin (5)"]
    monkeypatch.setattr(render, "CJK_FONT", None)  # a name it cannot draw becomes its id
    assert render.labels(names, ids) == ["1", "2025 618", "3", "twin (4)", "twin (5)"]
