"""The four dashboards of the document's section 5, as pure functions: the frames read from
the DM/APP tables in, a matplotlib figure and the exact numbers it plots out.

Labels are English (this machine has no CJK font); money is shown in yuan.
"""

import datetime as dt

import matplotlib.pyplot as plt
import polars as pl

from marketing_assets.reports.render import yuan


def _bars(ax, labels, series: dict[str, list], title: str, ylabel: str) -> None:
    n = len(series)
    width = 0.8 / max(n, 1)
    xs = range(len(labels))
    for i, (name, values) in enumerate(series.items()):
        ax.bar([x + i * width for x in xs], values, width=width, label=name)
    ax.set_xticks([x + width * (n - 1) / 2 for x in xs])
    ax.set_xticklabels(labels, rotation=30, ha="right", fontsize=8)
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)


def platform_board(day: dt.date, metrics: pl.DataFrame):
    """DAB, DNB, 用券拉新, AOV, CAC, PCVR, tool configuration rate over time."""
    data = metrics.sort("dt").select(
        "dt", "dab", "dnb", "coupon_new_buyer_cnt",
        yuan("aov").alias("aov_yuan"), yuan("cac").alias("cac_yuan"),
        (pl.col("pcvr") * 100).alias("pcvr_pct"), (pl.col("tool_config_rate") * 100).alias("tool_config_pct"),
        "coupon_roi",
    )
    fig, axes = plt.subplots(2, 2, figsize=(12, 7), layout="constrained")
    days = data["dt"].to_list()
    for ax, cols, title, unit in (
        (axes[0, 0], {"dab": "DAB (paying buyers)", "dnb": "DNB (new buyers)",
                      "coupon_new_buyer_cnt": "coupon-led new buyers"}, "Buyers per day", "buyers"),
        (axes[0, 1], {"aov_yuan": "AOV", "cac_yuan": "CAC"}, "AOV and CAC", "yuan"),
        (axes[1, 0], {"pcvr_pct": "PCVR (payers / visitors)", "tool_config_pct": "tool configuration rate"},
         "Conversion and tool configuration", "%"),
        (axes[1, 1], {"coupon_roi": "coupon ROI (pay / discount)"}, "Coupon ROI", "ratio"),
    ):
        for col, label in cols.items():
            ax.plot(days, data[col].to_list(), marker="o", label=label)
        ax.set_title(title)
        ax.set_ylabel(unit)
        ax.legend(fontsize=8)
        ax.tick_params(axis="x", rotation=30, labelsize=8)
    fig.suptitle(f"Platform board — 30 days ending {day}")
    return fig, data


def merchant_board(day: dt.date, coupons: pl.DataFrame, promotions: pl.DataFrame, top: int = 12):
    """Per seller: coupon and promotion cost, pay_amt and ROI over 1/7/30 days."""
    metrics = ("pay_amt", "discount_amt", "roi")
    c = coupons.select("seller_id", "stat_period", *[pl.col(m).alias(f"coupon_{m}") for m in metrics])
    p = promotions.select("seller_id", "stat_period", *[pl.col(m).alias(f"promotion_{m}") for m in metrics])
    data = c.join(p, on=["seller_id", "stat_period"], how="full", coalesce=True).with_columns(
        [pl.col(f"{k}_{m}").fill_null(0) for k in ("coupon", "promotion") for m in ("pay_amt", "discount_amt")]
    )
    ranked = (
        data.filter(pl.col("stat_period") == 30)
        .with_columns(cost=pl.col("coupon_discount_amt") + pl.col("promotion_discount_amt"))
        .sort(["cost", "seller_id"], descending=[True, False]).head(top)["seller_id"].to_list()
    )
    shown = data.filter(pl.col("seller_id").is_in(ranked)).sort("seller_id", "stat_period")
    month = shown.filter(pl.col("stat_period") == 30).sort("seller_id")
    fig, axes = plt.subplots(1, 2, figsize=(13, 5), layout="constrained")
    sellers = month["seller_id"].to_list()
    _bars(axes[0], sellers, {
        "coupon cost": month.select(yuan("coupon_discount_amt")).to_series().to_list(),
        "promotion cost": month.select(yuan("promotion_discount_amt")).to_series().to_list(),
        "pay with coupons ÷ 10": month.select(yuan("coupon_pay_amt") / 10).to_series().to_list(),
    }, "30 days: cost and pay per seller (top by cost)", "yuan")
    roi = {f"coupon ROI {p}d": shown.filter(pl.col("stat_period") == p).sort("seller_id")["coupon_roi"].fill_null(0).to_list()
           for p in (1, 7, 30)}
    roi = {k: v for k, v in roi.items() if len(v) == len(sellers)}
    _bars(axes[1], sellers, roi, "Coupon ROI over 1, 7 and 30 days", "pay / discount")
    fig.suptitle(f"Merchant board — {day}")
    return fig, shown


def growth_funnel(day: dt.date, funnel: pl.DataFrame, uplift: pl.DataFrame, trend: pl.DataFrame):
    """Triggered → claimed → used by launch plan, strategy and scene (cohorts of the last 7
    days), cost and ROI, uplift against blank control by strategy, day by day."""
    funnel = funnel.sort("cut", "id").with_columns(
        claim_rate=pl.col("claimed") / pl.col("triggered"),
        use_rate=pl.when(pl.col("claimed") > 0).then(pl.col("used") / pl.col("claimed")),
        roi=pl.when(pl.col("cost_amt") > 0).then(pl.col("pay_amt") / pl.col("cost_amt")),
    )
    uplift = uplift.sort("strategy_id")
    trend = trend.sort("dt")
    fig, axes = plt.subplots(2, 3, figsize=(17, 9), layout="constrained")
    for ax, cut in zip(axes[0], ("launch_plan", "strategy", "scene"), strict=True):
        part = funnel.filter(pl.col("cut") == cut)
        _bars(ax, [f"{cut.replace('_', ' ')} {i}" for i in part["id"]], {
            "triggered": part["triggered"].to_list(), "claimed": part["claimed"].to_list(),
            "used": part["used"].to_list(),
        }, f"Funnel by {cut.replace('_', ' ')} (cohorts of 7 days)", "coupons")
    plans = funnel.filter(pl.col("cut") == "launch_plan")
    _bars(axes[1, 0], [f"plan {i}" for i in plans["id"]], {
        "cost": plans.select(yuan("cost_amt")).to_series().to_list(),
        "pay of the lines ÷ 10": plans.select(yuan("pay_amt") / 10).to_series().to_list(),
    }, "Cost and pay by launch plan (ROI in the CSV)", "yuan")
    _bars(axes[1, 1], [f"strategy {i}" for i in uplift["strategy_id"]], {
        "pay rate, offered (%)": (uplift["treated_pay_rate"] * 100).fill_null(0).to_list(),
        "pay rate, blank control (%)": (uplift["blank_pay_rate"] * 100).fill_null(0).to_list(),
    }, f"Uplift against blank control on {day}", "% of triggered users who paid")
    days = trend["dt"].to_list()
    axes[1, 2].plot(days, (trend["claim_rate"] * 100).to_list(), marker="o", label="claim rate (%)")
    axes[1, 2].plot(days, (trend["uplift"] * 100).to_list(), marker="o", label="uplift (points)")
    axes[1, 2].set_title("Day by day")
    axes[1, 2].set_ylabel("%")
    axes[1, 2].legend(fontsize=8)
    axes[1, 2].tick_params(axis="x", rotation=30, labelsize=8)
    fig.suptitle(f"Growth funnel — {day}")
    data = pl.concat([
        funnel,
        uplift.select(pl.lit("uplift_by_strategy").alias("cut"), pl.col("strategy_id").alias("id"),
                      "treated_pay_rate", "blank_pay_rate", "uplift"),
    ], how="diagonal_relaxed")
    return fig, data


def campaign_monitor(day: dt.date, gmv: pl.DataFrame, conversion: pl.DataFrame, supply: pl.DataFrame,
                     presale: pl.DataFrame):
    """GMV against target and cost against budget per campaign, funnel conversion of the
    campaign's goods (visitors → buyers on dt), sign-ups and approvals, presale deposit →
    final payment conversion."""
    gmv = gmv.sort("activity_id")
    conversion = conversion.sort("activity_id").with_columns(
        conversion_pct=pl.when(pl.col("visitor_cnt") > 0).then(100 * pl.col("buyer_cnt") / pl.col("visitor_cnt"))
    )
    supply = supply.sort("activity_id")
    presale = presale.sort("presale_activity_id")

    def label(frame: pl.DataFrame, kind: str, key: str) -> list[str]:
        return [f"{k} {i}" for k, i in zip(frame[kind], frame[key], strict=True)]

    fig, axes = plt.subplots(2, 2, figsize=(14, 9), layout="constrained")
    _bars(axes[0, 0], label(gmv, "activity_type", "activity_id"), {
        "GMV": gmv.select(yuan("gmv_amt")).to_series().to_list(),
        "GMV target": gmv.select(yuan("gmv_target")).to_series().fill_null(0).to_list(),
        "cost": gmv.select(yuan("cost_amt")).to_series().to_list(),
        "budget": gmv.select(yuan("budget")).to_series().fill_null(0).to_list(),
    }, "GMV and cost of approved goods, as of dt", "yuan")
    _bars(axes[0, 1], label(conversion, "activity_type", "activity_id"), {
        "visitors of its goods": conversion["visitor_cnt"].to_list(),
        "buyers of its goods": conversion["buyer_cnt"].to_list(),
    }, f"Funnel of campaigns on sale on {day} (conversion % in the CSV)", "users")
    _bars(axes[1, 0], label(supply, "activity_type", "activity_id"), {
        "sellers signed up": supply["signup_seller_cnt"].to_list(),
        "sellers approved": supply["approved_seller_cnt"].to_list(),
        "goods approved ÷ 10": (supply["approved_goods_cnt"] / 10).to_list(),
    }, "Merchant sign-ups", "count")
    _bars(axes[1, 1], label(presale, "presale_type", "presale_activity_id"), {
        "deposits": presale["deposit_cnt"].to_list(),
        "converted": presale["converted_cnt"].to_list(),
        "forfeited": presale["forfeited_cnt"].to_list(),
    }, "Presale deposit → final payment", "deposits")
    fig.suptitle(f"Campaign monitor — {day}")
    data = pl.concat([
        gmv.select(pl.lit("gmv").alias("part"), pl.col("activity_id").alias("id"), "activity_name",
                   "gmv_amt", "gmv_target", "cost_amt", "budget"),
        conversion.select(pl.lit("funnel").alias("part"), pl.col("activity_id").alias("id"),
                          "visitor_cnt", "buyer_cnt", "conversion_pct"),
        supply.select(pl.lit("supply").alias("part"), pl.col("activity_id").alias("id"), "activity_name",
                      "signup_seller_cnt", "approved_seller_cnt", "approved_goods_cnt"),
        presale.select(pl.lit("presale").alias("part"), pl.col("presale_activity_id").alias("id"), "activity_name",
                       "deposit_cnt", "converted_cnt", "forfeited_cnt", "conversion_rate"),
    ], how="diagonal_relaxed")
    return fig, data
