"""User labels (用户标签扩展维表): the user centre's profile as of dt with membership and
lifecycle tags."""

import datetime as dt

import pandera.polars as pa
import polars as pl

from marketing_assets.derived import DerivedTable, Upstream
from marketing_assets.domains.trade.ods import USERS
from marketing_assets.domains.user.first_orders import PLATFORM_FIRSTS, days_before
from marketing_assets.table import TableModel

LIFECYCLE = ["new", "active", "silent", "churned", "never_bought"]


class UserLabel(TableModel):
    """Each user's profile and tags as of dt."""

    user_id: pl.String = pa.Field(description="user")
    register_time: pl.Datetime("us") = pa.Field(description="registered")
    register_days: pl.Int64 = pa.Field(ge=0, description="days since registration, as of dt")
    gender: pl.String = pa.Field(description="gender")
    age_band: pl.String = pa.Field(description="age band")
    city_tier: pl.String = pa.Field(description="city tier")
    member_level: pl.Int32 = pa.Field(ge=0, description="member level (0 = none)")
    is_member: pl.Boolean = pa.Field(description="member_level > 0")
    first_order_time: pl.Datetime("us") = pa.Field(nullable=True, description="first paid order on the platform")
    last_pay_time: pl.Datetime("us") = pa.Field(nullable=True, description="latest paid order in the 600-day look-back")
    lifecycle: pl.String = pa.Field(
        isin=LIFECYCLE,
        description="new: first order on dt; active: paid in the last 30 days; silent: 31-90; churned: over 90; never_bought",
    )
    dt: pl.Date = pa.Field(description="snapshot day")


def user_labels(day: dt.date, users: pl.DataFrame, firsts: pl.DataFrame) -> pl.DataFrame:
    """The user centre's profile with lifecycle tags. ``firsts``: the platform level of
    the first-order labels."""
    last = pl.coalesce("last_pay_time", "first_order_time").dt.date()
    return (
        users.join(firsts.select("user_id", "last_pay_time"), on="user_id", how="left", maintain_order="left")
        .with_columns(
            register_days=(pl.lit(day) - pl.col("register_time").dt.date()).dt.total_days(),
            is_member=pl.col("member_level") > 0,
            lifecycle=pl.when(pl.col("first_order_time").dt.date() == day).then(pl.lit("new"))
            .when(last >= days_before(day, 29)).then(pl.lit("active"))
            .when(last >= days_before(day, 89)).then(pl.lit("silent"))
            .when(last.is_not_null()).then(pl.lit("churned"))
            .otherwise(pl.lit("never_bought")),
        )
    )


USER_LABEL = DerivedTable(
    "redcdm", "dim_ecm_user_label_extend_df",
    model=UserLabel,
    grain=("user_id",),
    group="user",
    layer="dim",
    what="User profile and tags as of dt: registration, demographics, membership, first and last paid order, lifecycle",
    chinese_name="用户标签扩展维表",
    inputs={"users": Upstream(USERS), "firsts": PLATFORM_FIRSTS},
    compute=user_labels,
    lineage={
        "register_days": (("users", "register_time"),),
        "is_member": (("users", "member_level"),),
        "lifecycle": (("users", "first_order_time"), ("firsts", "last_pay_time")),
    },
    bounded=True,
)
