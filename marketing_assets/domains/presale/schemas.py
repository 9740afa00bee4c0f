"""Pandera models of the presale (预售) tables above ODS (DIM, DM). Money in integer fen;
datetimes Asia/Shanghai wall clock; every table ends with its partition ``dt``."""

import pandera.polars as pa
import polars as pl

from marketing_assets.table import TableModel

PRESALE_TYPES = ["618", "1111", "new_product"]
STAGES = ["deposit", "waiting", "final", "closed"]


def _dt() -> pa.Field:
    return pa.Field(description="partition day (Asia/Shanghai)")


class PresaleGoodsRelation(TableModel):
    """redcdm.dim_presale_activity_goods_relation_df"""

    presale_activity_id: pl.Int64 = pa.Field(description="presale activity")
    sku_id: pl.Int64 = pa.Field(description="SKU in the presale (finer than the catalog's goods grain)")
    goods_id: pl.Int64 = pa.Field(description="goods (SPU) of the SKU: the catalog's goods_id grain")
    seller_id: pl.String = pa.Field(description="seller")
    activity_name: pl.String = pa.Field(description="presale activity name")
    presale_type: pl.String = pa.Field(isin=PRESALE_TYPES, description="618, 1111 or new_product")
    activity_status: pl.Int32 = pa.Field(isin=[1, 2], description="presale activity 1 online, 2 offline")
    deposit_start: pl.Datetime("us") = pa.Field(description="deposits open")
    deposit_end: pl.Datetime("us") = pa.Field(description="deposits close")
    final_start: pl.Datetime("us") = pa.Field(description="final payments open")
    final_end: pl.Datetime("us") = pa.Field(description="final payments close")
    presale_price: pl.Int64 = pa.Field(gt=0, description="presale price per unit, fen")
    deposit_amt: pl.Int64 = pa.Field(gt=0, description="定金 per unit, fen")
    deduction_amt: pl.Int64 = pa.Field(gt=0, description="膨胀: what the deposit deducts from the price per unit, fen")
    final_payment_amt: pl.Int64 = pa.Field(
        ge=0, description="尾款 per unit = presale_price − deduction_amt (at least 0), fen"
    )
    presale_discount_amt: pl.Int64 = pa.Field(
        ge=0,
        description=(
            "presale discount per unit = deduction_amt − deposit_amt, at most presale_price − "
            "deposit_amt, at least 0 (merchant-borne), fen"
        ),
    )
    stock: pl.Int64 = pa.Field(ge=0, description="presale stock")
    sku_status: pl.Int32 = pa.Field(isin=[1, 2], description="SKU in the presale: 1 valid, 2 removed")
    update_time: pl.Datetime("us") = pa.Field(description="SKU's presale row last updated")
    deposit_cnt_1d: pl.Int64 = pa.Field(ge=0, description="deposits of the SKU in the presale paid on dt")
    deposit_qty_1d: pl.Int64 = pa.Field(ge=0, description="units of those deposits")
    deposit_cnt: pl.Int64 = pa.Field(ge=0, description="deposits of the SKU in the presale paid up to dt")
    deposit_qty: pl.Int64 = pa.Field(ge=0, description="units of those deposits")
    converted_cnt_1d: pl.Int64 = pa.Field(
        ge=0, description="deposits converted by a final payment paid on dt (not refunded that day)"
    )
    converted_cnt: pl.Int64 = pa.Field(
        ge=0, description="deposits converted by a final payment paid up to dt and not refunded as known on dt"
    )
    refunded_cnt: pl.Int64 = pa.Field(
        ge=0, description="deposits whose final payment was refunded by dt (neither converted nor forfeited)"
    )
    dt: pl.Date = _dt()


class PresaleConversion(TableModel):
    """redcdm.dm_ecm_mkt_presale_conversion_1d_di"""

    presale_activity_id: pl.Int64 = pa.Field(description="presale activity")
    activity_name: pl.String = pa.Field(description="presale activity name")
    presale_type: pl.String = pa.Field(isin=PRESALE_TYPES, description="618, 1111 or new_product")
    activity_status: pl.Int32 = pa.Field(isin=[1, 2], description="1 online, 2 offline")
    deposit_start: pl.Datetime("us") = pa.Field(description="deposits open")
    deposit_end: pl.Datetime("us") = pa.Field(description="deposits close")
    final_start: pl.Datetime("us") = pa.Field(description="final payments open")
    final_end: pl.Datetime("us") = pa.Field(description="final payments close")
    stage: pl.String = pa.Field(
        isin=STAGES,
        description=(
            "window dt falls in: final (final window touches dt), deposit (deposit window "
            "touches dt), waiting (between the two), closed (final window closed before dt)"
        ),
    )
    deposit_cnt: pl.Int64 = pa.Field(ge=0, description="deposits paid up to dt")
    deposit_user_cnt: pl.Int64 = pa.Field(ge=0, description="distinct buyers of those deposits")
    deposit_qty: pl.Int64 = pa.Field(ge=0, description="units of those deposits")
    deposit_amt: pl.Int64 = pa.Field(ge=0, description="deposits paid up to dt, fen")
    deduction_amt: pl.Int64 = pa.Field(ge=0, description="what those deposits deduct at final payment (膨胀), fen")
    deposit_cnt_1d: pl.Int64 = pa.Field(ge=0, description="deposits paid on dt")
    deposit_qty_1d: pl.Int64 = pa.Field(ge=0, description="units of the deposits paid on dt")
    deposit_amt_1d: pl.Int64 = pa.Field(ge=0, description="deposits paid on dt, fen")
    converted_cnt: pl.Int64 = pa.Field(
        ge=0,
        description=(
            "deposits converted by a final payment paid up to dt and not refunded as known on "
            "dt (a final payment refunded on its pay day never converts; one refunded later "
            "leaves the count from the refund day on)"
        ),
    )
    converted_qty: pl.Int64 = pa.Field(ge=0, description="units of the converted deposits")
    converted_deposit_amt: pl.Int64 = pa.Field(ge=0, description="deposit amount of the converted deposits, fen")
    converted_cnt_1d: pl.Int64 = pa.Field(
        ge=0, description="deposits whose final payment was paid on dt and not refunded that day"
    )
    conversion_rate: pl.Float64 = pa.Field(
        nullable=True,
        description=(
            "converted_cnt / deposit_cnt (pending deposits in the denominator: final once the "
            "final window has closed); null without deposits"
        ),
    )
    pending_cnt: pl.Int64 = pa.Field(
        ge=0, description="deposits without a final payment whose final window is still open at the end of dt"
    )
    pending_deposit_amt: pl.Int64 = pa.Field(ge=0, description="deposit amount of the pending deposits, fen")
    forfeited_cnt: pl.Int64 = pa.Field(
        ge=0, description="deposits without a final payment whose final window closed by the end of dt (定金不退)"
    )
    forfeited_qty: pl.Int64 = pa.Field(ge=0, description="units of the forfeited deposits")
    forfeited_deposit_amt: pl.Int64 = pa.Field(
        ge=0, description="deposit amount forfeited, fen: kept by the merchant, not GMV"
    )
    refunded_cnt: pl.Int64 = pa.Field(
        ge=0,
        description=(
            "deposits whose final payment was refunded by dt, on its pay day or later (the "
            "whole line, deposit included): neither converted, pending nor forfeited"
        ),
    )
    refunded_qty: pl.Int64 = pa.Field(ge=0, description="units of the refunded deposits")
    refunded_deposit_amt: pl.Int64 = pa.Field(ge=0, description="deposit amount of the refunded deposits, fen")
    final_gmv_amt: pl.Int64 = pa.Field(
        ge=0,
        description=(
            "GMV of the converted deposits: paid amount of their order lines (deposit + final "
            "payment), by final-payment day, up to dt, net of the refunds known on dt (the "
            "platform GMV of the same lines), fen"
        ),
    )
    final_gmv_amt_1d: pl.Int64 = pa.Field(
        ge=0, description="final_gmv_amt of the final payments paid on dt (same-day refunds out), fen"
    )
    final_payment_amt: pl.Int64 = pa.Field(
        ge=0, description="尾款 paid up to dt: paid amount of the converted lines − their deposits (net of refunds), fen"
    )
    final_payment_amt_1d: pl.Int64 = pa.Field(ge=0, description="尾款 paid on dt, fen")
    dt: pl.Date = _dt()
