"""Trade-user tables built so far (the rest of 4.7 follows with the remaining tables)."""

from marketing_assets.derived import DerivedTable, Upstream
from marketing_assets.domains import keys
from marketing_assets.domains.user import schemas, transforms
from marketing_assets.metrics import LOOKBACK_DAYS

LINE_COLUMNS = ("user_id", "seller_id", "goods_id", "order_id", "package_id", "pay_time")

TABLES = [
    DerivedTable(
        *keys.USER_NITEM_LABEL,
        model=schemas.UserNitemLabel,
        grain=("user_id", "level", "level_id"),
        group="user",
        layer="dim",
        what=(
            "New or old customer of each buyer at platform, industry, operating category and "
            "store level: the first paid order at each level as known on dt (the basis of "
            "DNB, 用券拉新 and new buyers of a store)"
        ),
        chinese_name="用户N级新老客标签",
        inputs={
            "lines": Upstream(keys.ORDER_LINES, LOOKBACK_DAYS, LINE_COLUMNS),
            "refunds": Upstream(keys.REFUNDS, LOOKBACK_DAYS, ("package_id", "goods_id", "pay_time", "refund_time")),
            "goods": Upstream(keys.GOODS, 1, ("goods_id", "industry", "category")),
            "users": Upstream(keys.USERS, 1, ("user_id", "first_order_time")),
        },
        compute=transforms.nitem_labels,
        bounded=True,
    ),
]
