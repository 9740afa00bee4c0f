"""The four dashboards of the document's section 5: the frames read from the DM/APP tables
in, a matplotlib figure and the exact numbers it plots out. The figure is the board's frame
(``render.frame``), the same one each day in a thread, cleared and redrawn by each call.

Every ratio is a Float64 (``render.ratio``), money stays integer fen in the numbers and is
shown in yuan. Labels are the names the data carries (``render.labels``); series of another
unit go on a second y axis, never scaled onto the first.
"""

import datetime as dt
import math
import unicodedata

import polars as pl
from matplotlib.patches import Rectangle
from matplotlib.ticker import AutoLocator, FuncFormatter, MaxNLocator

from marketing_assets.reports.render import frame, labels, place_axis_labels, ratio, yuan

LEGEND_COLUMNS = 2
# most tick labels on a date axis and on a value axis: each label is a text matplotlib lays
# out and draws glyph by glyph (about 1 ms each), and more of them add nothing to read
DATE_TICKS = 8
VALUE_TICKS = 6
# widest x tick label, in half-width characters (a CJK character counts two): the fixed gap
# under a panel holds that much at 30 degrees; longer names end in "…" (the CSV keeps them whole)
LABEL_WIDTH = 32
# panel margins in inches (render.frame): bar panels leave room for rotated names under the axis
# (render.place_axis_labels puts each y label 0.6 in off its axes: a right-hand label and the
# next panel's left-hand one need 1.6 in between)
BAR_MARGINS = {"left": 0.85, "right": 0.85, "top": 0.7, "bottom": 1.05, "hgap": 1.5, "wgap": 1.75}
LINE_MARGINS = {"left": 0.85, "right": 0.25, "top": 0.7, "bottom": 0.55, "hgap": 0.9, "wgap": 1.0}


def _compact(value: float, _position=None) -> str:
    """A value-axis tick: 12.5k for 12,500, 2M for 2,000,000, as is below 10,000 (0.25,
    13.5, 7500): at most six characters, so a fixed gap holds the tick labels."""
    for threshold, unit, suffix in ((1e9, 1e9, "B"), (1e6, 1e6, "M"), (1e4, 1e3, "k")):
        if abs(value) >= threshold:
            return f"{value / unit:g}{suffix}"
    return f"{value:g}"


def _value_axis(axis) -> None:
    """At most ``VALUE_TICKS`` round ticks, labelled compactly."""
    axis.set_major_locator(MaxNLocator(VALUE_TICKS, steps=[1, 2, 2.5, 5, 10]))
    axis.set_major_formatter(FuncFormatter(_compact))


def _short(label: str) -> str:
    """``label`` if it is at most ``LABEL_WIDTH`` half-width characters wide, else cut to
    fit with "…" at its end."""
    widths = [2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in label]
    if sum(widths) <= LABEL_WIDTH:
        return label
    room, kept = LABEL_WIDTH - 1, 0  # one for the "…"
    while widths[kept] <= room:
        room -= widths[kept]
        kept += 1
    return label[:kept] + "…"


def _twin(ax):
    """The second y axis of ``ax``, or None."""
    return next((other for other in ax.get_shared_x_axes().get_siblings(ax) if other is not ax), None)


def _clear(ax, title: str, ylabel: str, keep_twin: bool = False):
    """``ax`` of a reused frame without the previous day's bars, lines, texts and legend,
    its limits and ticks automatic again, titled; its second y axis removed unless
    ``keep_twin`` (then returned cleared). Axes and ticks stay: building them is most of
    a figure's cost."""
    twin = _twin(ax)
    if twin is not None and not keep_twin:
        twin.remove()
        twin = None
    for axis in (ax, twin) if twin is not None else (ax,):
        for artist in [*axis.patches, *axis.lines, *axis.texts]:
            artist.remove()
        if axis.get_legend() is not None:
            axis.get_legend().remove()
        axis.set_prop_cycle(None)  # line colours start at C0 again
        axis.relim()
        axis.set_autoscale_on(True)
        axis.xaxis.set_major_locator(AutoLocator())
        _value_axis(axis.yaxis)
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    return twin


def _headroom(ax, values: list, rows: int) -> None:
    """Room above the highest bar for a legend of ``rows`` rows, so it covers no bar."""
    finite = [v for v in values if v is not None]
    top = max(finite, default=0)
    bottom = min([0, *finite])
    ax.set_ylim(bottom, (top if top > 0 else 1) * (1.12 + 0.1 * rows))


def _nothing(ax, empty: str) -> None:
    """An empty panel says why instead of showing an axis around zero."""
    ax.text(0.5, 0.5, empty, transform=ax.transAxes, ha="center", va="center", color="grey")
    ax.set_xticks([])
    ax.set_yticks([])


def _lines(ax, days: list, series: dict[str, list], title: str, ylabel: str, empty: str) -> None:
    """One line per series over ``days``; at most ``DATE_TICKS`` days labelled, as MM-DD."""
    _clear(ax, title, ylabel)
    if not days:
        _nothing(ax, empty)
        return
    for name, values in series.items():
        ax.plot(days, values, marker="o", label=name)
    ax.legend(fontsize=8)
    ticks = days[::math.ceil(len(days) / DATE_TICKS)]
    ax.set_xticks(ticks, [day.strftime("%m-%d") for day in ticks], rotation=30, fontsize=8)


def _bars(ax, names: list[str], series: dict[str, list], title: str, ylabel: str,
          right: dict[str, list] | None = None, right_label: str = "", empty: str = "nothing to show") -> None:
    """Grouped bars, one group per name; ``right`` series (another unit) share the groups
    on a second y axis. One legend for both axes sits in headroom above the bars.
    The bars are rectangles added with fixed limits: ``Axes.bar`` updates the data limits
    bar by bar, a millisecond each."""
    twin = _clear(ax, title, ylabel, keep_twin=bool(names and right))
    if not names:
        _nothing(ax, empty)
        return
    right = right or {}
    if right and twin is None:
        twin = ax.twinx()
        twin.grid(False)
        place_axis_labels(twin, "right")
        _value_axis(twin.yaxis)
    n = len(series) + len(right)
    width = 0.8 / n
    handles = []
    for i, (name, values) in enumerate([*series.items(), *right.items()]):
        target = ax if name in series else twin
        bars = [Rectangle((x + i * width - width / 2, 0), width, math.nan if v is None else v,
                          facecolor=f"C{i}", label=name if x == 0 else "_nolegend_")
                for x, v in enumerate(values)]
        for bar in bars:
            target.add_artist(bar)
        handles.append(bars[0])
    span = (-width / 2, len(names) - 1 + (n - 0.5) * width)
    margin = 0.05 * (span[1] - span[0])  # the axes' default x margin around the bars
    ax.set_xlim(span[0] - margin, span[1] + margin)
    ax.set_xticks([x + width * (n - 1) / 2 for x in range(len(names))], [_short(name) for name in names],
                  rotation=30, ha="right", fontsize=8)
    rows = -(-n // LEGEND_COLUMNS)
    _headroom(ax, [v for values in series.values() for v in values], rows)
    if twin is not None:
        twin.set_ylabel(right_label)
        _headroom(twin, [v for values in right.values() for v in values], rows)
    (twin or ax).legend(handles=handles, loc="upper center", ncol=LEGEND_COLUMNS, fontsize=8)


def platform_board(day: dt.date, metrics: pl.DataFrame):
    """DAB, DNB, 用券拉新, AOV, CAC, PCVR, tool configuration rate over time."""
    data = metrics.sort("dt").select(
        "dt", "dab", "dnb", "coupon_new_buyer_cnt",
        yuan("aov").alias("aov_yuan"), yuan("cac").alias("cac_yuan"),
        (pl.col("pcvr") * 100).alias("pcvr_pct"), (pl.col("tool_config_rate") * 100).alias("tool_config_pct"),
        "coupon_roi",
    )
    fig, axes = frame("platform_board", 2, 2, (11, 7), **LINE_MARGINS)
    days = data["dt"].to_list()
    for ax, cols, title, unit in (
        (axes[0, 0], {"dab": "DAB (paying buyers)", "dnb": "DNB (new buyers)",
                      "coupon_new_buyer_cnt": "coupon-led new buyers"}, "Buyers per day", "buyers"),
        (axes[0, 1], {"aov_yuan": "AOV", "cac_yuan": "CAC"}, "AOV and CAC", "yuan"),
        (axes[1, 0], {"pcvr_pct": "PCVR (payers / visitors)", "tool_config_pct": "tool configuration rate"},
         "Conversion and tool configuration", "%"),
        (axes[1, 1], {"coupon_roi": "coupon ROI (pay / discount)"}, "Coupon ROI", "ratio"),
    ):
        _lines(ax, days, {label: data[col].to_list() for col, label in cols.items()}, title, unit,
               empty=f"no platform metrics in the 30 days ending {day}")
    fig.suptitle(f"Platform board — 30 days ending {day}")
    return fig, data


def merchant_board(day: dt.date, coupons: pl.DataFrame, promotions: pl.DataFrame, top: int = 12):
    """Per seller: coupon and promotion cost, pay_amt and ROI over 1/7/30 days, for the
    ``top`` sellers by 30-day cost (coupon + promotion discount), highest first."""
    metrics = ("pay_amt", "discount_amt", "roi")
    c = coupons.select("seller_id", "stat_period", *[pl.col(m).alias(f"coupon_{m}") for m in metrics])
    p = promotions.select("seller_id", "stat_period", *[pl.col(m).alias(f"promotion_{m}") for m in metrics])
    data = c.join(p, on=["seller_id", "stat_period"], how="full", coalesce=True).with_columns(
        [pl.col(f"{k}_{m}").fill_null(0) for k in ("coupon", "promotion") for m in ("pay_amt", "discount_amt")]
    )
    ranked = (
        data.filter(pl.col("stat_period") == 30)
        .select("seller_id", cost_30d_amt=pl.col("coupon_discount_amt") + pl.col("promotion_discount_amt"))
        .sort(["cost_30d_amt", "seller_id"], descending=[True, False]).head(top)
        .with_row_index("cost_rank", offset=1)
    )
    shown = ranked.join(data, on="seller_id").sort("cost_rank", "stat_period")
    month = shown.filter(pl.col("stat_period") == 30)
    sellers = month["seller_id"].to_list()
    fig, ((cost_axis, roi_axis),) = frame("merchant_board", 1, 2, (12, 5), **BAR_MARGINS)
    _bars(cost_axis, sellers, {
        "coupon cost": month.select(yuan("coupon_discount_amt")).to_series().to_list(),
        "promotion cost": month.select(yuan("promotion_discount_amt")).to_series().to_list(),
    }, "30 days: cost per seller, highest cost first", "cost (yuan)", right={
        "pay with coupons": month.select(yuan("coupon_pay_amt")).to_series().to_list(),
    }, right_label="pay (yuan)", empty="no seller used a coupon or promotion")
    grid = ranked.select("seller_id", "cost_rank").join(
        pl.DataFrame({"stat_period": [1, 7, 30]}, schema={"stat_period": shown["stat_period"].dtype}), how="cross"
    ).join(shown.select("seller_id", "stat_period", "coupon_roi"), on=["seller_id", "stat_period"], how="left")
    roi = {f"coupon ROI {period}d": grid.filter(pl.col("stat_period") == period).sort("cost_rank")["coupon_roi"]
           .fill_null(0).to_list() for period in (1, 7, 30)}
    _bars(roi_axis, sellers, roi, "Coupon ROI over 1, 7 and 30 days", "pay / discount",
          empty="no seller used a coupon")
    fig.suptitle(f"Merchant board — {day}")
    return fig, shown


def growth_funnel(day: dt.date, funnel: pl.DataFrame, uplift: pl.DataFrame, trend: pl.DataFrame):
    """Triggered → claimed → used by launch plan, strategy and scene (cohorts of the last 7
    days), cost and ROI, uplift against blank control by strategy, day by day."""
    funnel = funnel.sort("cut", "id").with_columns(
        claim_rate=ratio("claimed", "triggered"), use_rate=ratio("used", "claimed"), roi=ratio("pay_amt", "cost_amt"),
    )
    uplift = uplift.sort("strategy_id").with_columns(
        treated_pay_rate=ratio("treated_payer_cnt", "treated_user_cnt"),
        blank_pay_rate=ratio("blank_payer_cnt", "blank_user_cnt"),
    ).with_columns(uplift=pl.col("treated_pay_rate") - pl.col("blank_pay_rate"))
    trend = trend.sort("dt")
    fig, axes = frame("growth_funnel", 3, 2, (12, 14), **BAR_MARGINS)
    for ax, cut in zip(axes.flat, ("launch_plan", "strategy", "scene"), strict=False):
        part = funnel.filter(pl.col("cut") == cut)
        _bars(ax, labels(part["name"], part["id"]), {
            "triggered": part["triggered"].to_list(), "claimed": part["claimed"].to_list(),
            "used": part["used"].to_list(),
        }, f"Funnel by {cut.replace('_', ' ')} (cohorts of 7 days)", "coupons", empty="no offer triggered")
    plans = funnel.filter(pl.col("cut") == "launch_plan")
    _bars(axes[1, 1], labels(plans["name"], plans["id"]), {
        "cost": plans.select(yuan("cost_amt")).to_series().to_list(),
    }, "Cost and ROI by launch plan (pay of the lines in the CSV)", "cost (yuan)", right={
        "ROI (pay of the lines / cost)": plans["roi"].fill_null(0).to_list(),
    }, right_label="pay / cost", empty="no offer triggered")
    _bars(axes[2, 0], labels(uplift["strategy_name"], uplift["strategy_id"]), {
        "pay rate, offered (%)": (uplift["treated_pay_rate"] * 100).fill_null(0).to_list(),
        "pay rate, blank control (%)": (uplift["blank_pay_rate"] * 100).fill_null(0).to_list(),
    }, f"Uplift against blank control on {day}", "% of triggered users who paid", empty="no strategy ran")
    _lines(axes[2, 1], trend["dt"].to_list(), {
        "claim rate (%)": (trend["claim_rate"] * 100).to_list(), "uplift (points)": (trend["uplift"] * 100).to_list(),
    }, "Day by day", "%", empty=f"no platform metrics in the 14 days ending {day}")
    fig.suptitle(f"Growth funnel — {day}")
    data = pl.concat([
        funnel,
        uplift.select(pl.lit("uplift_by_strategy").alias("cut"), pl.col("strategy_id").alias("id"),
                      pl.col("strategy_name").alias("name"), "treated_user_cnt", "treated_payer_cnt",
                      "blank_user_cnt", "blank_payer_cnt", "treated_pay_rate", "blank_pay_rate", "uplift"),
    ], how="diagonal_relaxed")
    return fig, data


def campaign_monitor(day: dt.date, gmv: pl.DataFrame, conversion: pl.DataFrame, supply: pl.DataFrame,
                     presale: pl.DataFrame):
    """GMV against target and cost against budget per campaign, funnel conversion of the
    campaign's goods (visitors → buyers on dt), sign-ups and approvals, presale deposit →
    final payment conversion."""
    gmv = gmv.sort("activity_id").with_columns(
        gmv_attainment=ratio("gmv_amt", "gmv_target"), budget_used=ratio("cost_amt", "budget"),
    )
    conversion = conversion.sort("activity_id").with_columns(conversion=ratio("buyer_cnt", "visitor_cnt"))
    supply = supply.sort("activity_id")
    presale = presale.sort("presale_activity_id")

    fig, axes = frame("campaign_monitor", 2, 2, (12, 9), **BAR_MARGINS)
    _bars(axes[0, 0], labels(gmv["activity_name"], gmv["activity_id"]), {
        "GMV, % of its target": (gmv["gmv_attainment"] * 100).fill_null(0).to_list(),
        "cost, % of its budget": (gmv["budget_used"] * 100).fill_null(0).to_list(),
    }, "GMV and cost of approved goods against target and budget, as of dt", "%",
        empty=f"no campaign started by {day}")
    _bars(axes[0, 1], labels(conversion["activity_name"], conversion["activity_id"]), {
        "visitors of its goods": conversion["visitor_cnt"].to_list(),
        "buyers of its goods": conversion["buyer_cnt"].to_list(),
    }, f"Funnel of campaigns on sale on {day}", "users", right={
        "conversion (%)": (conversion["conversion"] * 100).fill_null(0).to_list(),
    }, right_label="buyers / visitors (%)", empty=f"no campaign on sale on {day}")
    _bars(axes[1, 0], labels(supply["activity_name"], supply["activity_id"]), {
        "sellers signed up": supply["signup_seller_cnt"].to_list(),
        "sellers approved": supply["approved_seller_cnt"].to_list(),
    }, "Merchant sign-ups", "sellers", right={
        "goods approved": supply["approved_goods_cnt"].to_list(),
    }, right_label="goods", empty=f"no campaign open for sign-up on {day}")
    _bars(axes[1, 1], labels(presale["activity_name"], presale["presale_activity_id"]), {
        "deposits": presale["deposit_cnt"].to_list(),
        "converted": presale["converted_cnt"].to_list(),
        "forfeited": presale["forfeited_cnt"].to_list(),
    }, "Presale deposit → final payment", "deposits", empty=f"no presale deposit by {day}")
    fig.suptitle(f"Campaign monitor — {day}")
    data = pl.concat([
        gmv.select(pl.lit("gmv").alias("part"), pl.col("activity_id").alias("id"), "activity_name",
                   "gmv_amt", "gmv_target", "gmv_attainment", "cost_amt", "budget", "budget_used"),
        conversion.select(pl.lit("funnel").alias("part"), pl.col("activity_id").alias("id"), "activity_name",
                          "visitor_cnt", "buyer_cnt", "conversion"),
        supply.select(pl.lit("supply").alias("part"), pl.col("activity_id").alias("id"), "activity_name",
                      "signup_seller_cnt", "approved_seller_cnt", "approved_goods_cnt"),
        presale.select(pl.lit("presale").alias("part"), pl.col("presale_activity_id").alias("id"), "activity_name",
                       "deposit_cnt", "converted_cnt", "forfeited_cnt", "conversion_rate"),
    ], how="diagonal_relaxed")
    return fig, data
