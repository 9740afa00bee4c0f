"""The presale (预售) tables above ODS: presale × SKU relation with prices and deposits, and
the deposit → final-payment conversion per presale."""

import polars as pl

from marketing_assets.derived import DerivedTable, Upstream
from marketing_assets.domains import keys as shared
from marketing_assets.domains.presale import keys, schemas, transforms
from marketing_assets.metrics import LOOKBACK_DAYS

GROUP = "presale"
_SALES_COLUMNS = (
    "presale_activity_id", "sku_id", "goods_id", "seller_id", "presale_price", "deposit_amt",
    "deduction_amt", "stock", "status", "update_time", "_src_file", "_src_line",
)
_DEPOSIT_COLUMNS = (
    "user_id", "presale_activity_id", "sku_id", "quantity", "deposit_amt", "deduction_amt", "pay_time",
)
#: presale order lines: the final payments
_FINAL_LINES = Upstream(
    shared.ORDER_LINES, LOOKBACK_DAYS,
    ("package_id", "goods_id", "user_id", "sku_id", "order_time", "pay_time", "paid_amt", "is_presale"),
    where="is_presale",
)
#: refunds of whole order lines, netted as known on dt
_REFUNDS = Upstream(shared.REFUNDS, LOOKBACK_DAYS, ("package_id", "goods_id", "refund_time"))


def _conversion_lineage() -> dict:
    """Deposit columns come from the deposits; conversion, refund, pending and forfeit
    columns from deposits matched to final-payment lines and their refunds (and the final
    window); GMV from lines net of refunds."""
    deposits = tuple(("deposits", c) for c in ("user_id", "sku_id", "quantity", "deposit_amt", "pay_time"))
    finals = tuple(("lines", c) for c in ("user_id", "sku_id", "order_time", "pay_time")) + (
        ("refunds", "refund_time"),
    )
    lineage = {}
    for column, dtype in schemas.PresaleConversion.to_schema().dtypes.items():
        if str(dtype) not in ("Int64", "Float64") or column == "presale_activity_id":
            continue
        if column.startswith(("deposit", "deduction")):
            lineage[column] = deposits + (("deposits", "deduction_amt"),)
        elif column.startswith("final"):
            lineage[column] = (("lines", "paid_amt"), ("deposits", "deposit_amt")) + finals
        else:  # converted, pending, forfeited, conversion_rate
            lineage[column] = deposits + finals + (("activities", "final_end"),)
    return lineage


def _goods_headline(frame: pl.DataFrame) -> dict:
    return {
        "presales": frame["presale_activity_id"].n_unique(),
        "skus": frame.height,
        "deposit_cnt_1d": int(frame["deposit_cnt_1d"].sum()),
        "converted_cnt_1d": int(frame["converted_cnt_1d"].sum()),
        "refunded_cnt": int(frame["refunded_cnt"].sum()),
    }


def _conversion_headline(frame: pl.DataFrame) -> dict:
    totals = {m: int(frame[m].sum()) for m in (
        "deposit_cnt", "converted_cnt", "refunded_cnt", "forfeited_cnt", "pending_cnt", "final_gmv_amt",
        "forfeited_deposit_amt",
    )}
    return {
        "presales": frame.height,
        **totals,
        "conversion_rate": round(totals["converted_cnt"] / totals["deposit_cnt"], 4) if totals["deposit_cnt"] else None,
    }


TABLES = [
    DerivedTable(
        *keys.PRESALE_GOODS,
        model=schemas.PresaleGoodsRelation,
        grain=("presale_activity_id", "sku_id"),
        group=GROUP,
        layer="dim",
        what=(
            "Goods in presales as of dt, per presale × SKU (the catalog's grain is presale × "
            "goods; a goods' SKUs enrol separately with their own prices, so the SKU is kept "
            "and goods_id is a column): presale price, deposit (定金), deduction (膨胀), final "
            "payment (尾款 = price − deduction) and presale discount per unit, the presale's "
            "deposit and final-payment windows, and the SKU's deposits and conversions paid on "
            "dt and up to dt, net of refunds (refunded final payments counted apart). The SKU "
            "collection lands only changed rows: a SKU's row is its "
            f"latest by update_time over the last {LOOKBACK_DAYS} days (untouched for longer: "
            "drops out); presales no longer in the day's collection are left out"
        ),
        chinese_name="预售活动商品关系维表",
        inputs={
            "sales": Upstream(keys.PRESALE_SALES, LOOKBACK_DAYS, _SALES_COLUMNS),
            "activities": Upstream(keys.PRESALE_ACTIVITY),
            "deposits": Upstream(keys.DEPOSITS, LOOKBACK_DAYS, _DEPOSIT_COLUMNS),
            "lines": _FINAL_LINES,
            "refunds": _REFUNDS,
        },
        compute=transforms.presale_goods,
        bounded=True,
    ),
    DerivedTable(
        *keys.PRESALE_CONVERSION,
        model=schemas.PresaleConversion,
        grain=("presale_activity_id",),
        group=GROUP,
        layer="dm",
        what=(
            "Presale conversion as of dt per presale whose deposits have opened: deposits paid "
            "(count, buyers, units, amount; on dt and up to dt), deposits converted by a final "
            "payment (the buyer's presale order line of the SKU ordered at the deposit's pay "
            "time) not refunded as known on dt, conversion rate (converted / deposits), "
            "refunded deposits (final payment refunded on its pay day, never converted, or "
            "later, out of the converted from the refund day on), pending deposits, forfeited "
            "deposits (final window closed without a final payment: kept by the merchant, not "
            "GMV) and the final-payment GMV (deposit + final payment of the converted lines, "
            "by final-payment day, net of refunds like the platform GMV)"
        ),
        chinese_name="预售定金转化汇总",
        inputs={
            "activities": Upstream(keys.PRESALE_ACTIVITY),
            "deposits": Upstream(keys.DEPOSITS, LOOKBACK_DAYS, _DEPOSIT_COLUMNS),
            "lines": _FINAL_LINES,
            "refunds": _REFUNDS,
        },
        compute=transforms.presale_conversion,
        headline=_conversion_headline,
        lineage=_conversion_lineage(),
    ),
]
