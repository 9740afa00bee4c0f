"""A small, hand-written landing sample: two days (2025-06-01, 2025-06-02) of six source
tables, one of each export shape, in the exact shapes the source systems export.

The tests use it for values worked out by hand (the simulator lands the rest). The records
are consistent with each other (template 101 is a platform coupon 满100减20, 102 a store
coupon 满50减10 of seller s1; coupon 9001 is claimed on day one and used on day two).
"""

from __future__ import annotations

import gzip
from pathlib import Path

DAYS = ("2025-06-01", "2025-06-02")
#: the source tables the sample lands
TABLES = (
    "ods_fls_coupon_template_df",
    "ods_mongo_32004_coupon_template_hi",
    "ods_mongo_35003_coupon_31006_goods_coupon",
    "ods_binlog_fls_co_limitsalecart__fls_coupon_coupon_df",
    "ods_binlog_fls_usergrowth__egrowth_main_user_strategy_execution_di",
    "ods_marketing_interact_service_phoenix_task_complete_detail_df",
)

_TEMPLATE_HEADER = (
    "id,activity_id,template_name,coupon_type,limit_type,channel_type,seller_id,"
    "threshold_amount,discount_amount,claim_start_time,claim_end_time,validity_type,"
    "valid_start_time,valid_end_time,valid_days,cost_bearer,total_count,status,"
    "create_time,update_time"
)
_TEMPLATE_101 = (
    '101,11,"618 platform 满100减20",1,0,1,\\N,10000,2000,2025-05-20 00:00:00,'
    "2025-06-18 23:59:59,1,2025-05-20 00:00:00,2025-06-20 23:59:59,\\N,1,100000,1,"
    "2025-05-15 10:00:00,2025-05-15 10:00:00"
)
_TEMPLATE_102 = (
    '102,12,"s1 store 满50减10",4,0,3,s1,5000,1000,2025-05-25 00:00:00,'
    "2025-06-30 23:59:59,2,\\N,\\N,7,2,5000,1,2025-05-25 09:00:00,{update}"
)

_TEMPLATE_HI = {
    "2025-06-01": {
        "09": [
            '{"_id":{"$numberLong":"102"},"name":"s1 store 满50减10","coupon_type":{"$numberInt":"4"},'
            '"seller_id":"s1","threshold":{"$numberDecimal":"50.00"},"discount":{"$numberDecimal":"10.00"},'
            '"status":{"$numberInt":"1"},"update_time":{"$date":{"$numberLong":"1748741400000"}}}'
        ],
    },
    "2025-06-02": {
        "10": [
            '{"_id":{"$numberLong":"102"},"name":"s1 store 满50减12","coupon_type":{"$numberInt":"4"},'
            '"seller_id":"s1","threshold":{"$numberDecimal":"50.00"},"discount":{"$numberDecimal":"12.00"},'
            '"status":{"$numberInt":"1"},"update_time":{"$date":"2025-06-02T02:30:00.000Z"}}'
        ],
    },
}

_GOODS_COUPON = {
    "2025-06-01": [
        '{"_id":{"$oid":"665a1f000000000000009001"},"coupon_id":{"$numberLong":"9001"},'
        '"coupon_template_id":{"$numberLong":"101"},"user_id":"u1","seller_id":null,'
        '"claim_channel":"growth_platform","status":{"$numberInt":"1"},'
        '"claim_time":{"$date":"2025-06-01T02:00:00.000Z"},'
        '"valid_start_time":{"$date":"2025-05-19T16:00:00.000Z"},'
        '"valid_end_time":{"$date":"2025-06-20T15:59:59.000Z"},"use_time":null,"package_id":null,'
        '"threshold_amount":{"$numberLong":"10000"},"discount_amount":{"$numberLong":"2000"},'
        '"update_time":{"$date":"2025-06-01T02:00:00.000Z"}}',
        '{"_id":{"$oid":"665a1f000000000000009002"},"coupon_id":{"$numberLong":"9002"},'
        '"coupon_template_id":{"$numberLong":"102"},"user_id":"u2","seller_id":"s1",'
        '"claim_channel":"live_room","status":{"$numberInt":"1"},'
        '"claim_time":{"$date":"2025-06-01T05:30:00.000Z"},'
        '"valid_start_time":{"$date":"2025-06-01T05:30:00.000Z"},'
        '"valid_end_time":{"$date":"2025-06-08T05:30:00.000Z"},"use_time":null,"package_id":null,'
        '"threshold_amount":{"$numberLong":"5000"},"discount_amount":{"$numberLong":"1000"},'
        '"update_time":{"$date":"2025-06-01T05:30:00.000Z"}}',
    ],
    "2025-06-02": [
        '{"_id":{"$oid":"665a1f000000000000009001"},"coupon_id":{"$numberLong":"9001"},'
        '"coupon_template_id":{"$numberLong":"101"},"user_id":"u1","seller_id":null,'
        '"claim_channel":"growth_platform","status":{"$numberInt":"2"},'
        '"claim_time":{"$date":"2025-06-01T02:00:00.000Z"},'
        '"valid_start_time":{"$date":"2025-05-19T16:00:00.000Z"},'
        '"valid_end_time":{"$date":"2025-06-20T15:59:59.000Z"},'
        '"use_time":{"$date":"2025-06-02T02:12:00.000Z"},"package_id":"P20250602001",'
        '"threshold_amount":{"$numberLong":"10000"},"discount_amount":{"$numberLong":"2000"},'
        '"update_time":{"$date":"2025-06-02T02:12:00.000Z"}}',
        '{"_id":{"$oid":"665a1f000000000000009003"},"coupon_id":{"$numberLong":"9003"},'
        '"coupon_template_id":{"$numberLong":"102"},"user_id":"u3","seller_id":"s1",'
        '"claim_channel":"shop_page","status":{"$numberInt":"1"},'
        '"claim_time":{"$date":"2025-06-02T11:00:00.000Z"},'
        '"valid_start_time":{"$date":"2025-06-02T11:00:00.000Z"},'
        '"valid_end_time":{"$date":"2025-06-09T11:00:00.000Z"},"use_time":null,"package_id":null,'
        '"threshold_amount":{"$numberLong":"5000"},"discount_amount":{"$numberLong":"1000"},'
        '"update_time":{"$date":"2025-06-02T11:00:00.000Z"}}',
    ],
}


def _coupon_row(cid, tpl, user, seller, channel, status, claim, vs, ve, use, pkg, thr, disc, upd):
    seller_json = f'"{seller}"' if seller else "null"
    use_json = str(use) if use else "null"
    pkg_json = f'"{pkg}"' if pkg else "null"
    return (
        f'{{"id":{cid},"coupon_template_id":{tpl},"user_id":"{user}","seller_id":{seller_json},'
        f'"claim_channel":"{channel}","status":{status},"claim_time":{claim},'
        f'"valid_start_time":{vs},"valid_end_time":{ve},"use_time":{use_json},'
        f'"package_id":{pkg_json},"threshold_amount":{thr},"discount_amount":{disc},'
        f'"create_time":{claim},"update_time":{upd}}}'
    )


# Debezium encodes MySQL DATETIME as epoch millis of the wall clock read as UTC:
# 2025-06-01 10:00:00 (Shanghai) -> 1748772000000; ts_ms is a true epoch.
_C9001 = _coupon_row(9001, 101, "u1", None, "growth_platform", 1, 1748772000000,
                     1747699200000, 1750463999000, None, None, 10000, 2000, 1748772000000)
_C9002 = _coupon_row(9002, 102, "u2", "s1", "live_room", 1, 1748784600000,
                     1748784600000, 1749389400000, None, None, 5000, 1000, 1748784600000)
_C9001_USED = _coupon_row(9001, 101, "u1", None, "growth_platform", 2, 1748772000000,
                          1747699200000, 1750463999000, 1748859120000, "P20250602001",
                          10000, 2000, 1748859120000)
_C9003 = _coupon_row(9003, 102, "u3", "s1", "shop_page", 1, 1748890800000,
                     1748890800000, 1749495600000, None, None, 5000, 1000, 1748890800000)
_SRC = '"source":{"db":"fls_coupon","table":"coupon"}'
_COUPON_BINLOG = {
    "2025-06-01": [
        f'{{"op":"c","ts_ms":1748743200123,"before":null,"after":{_C9001},{_SRC}}}',
        f'{{"op":"c","ts_ms":1748755800456,"before":null,"after":{_C9002},{_SRC}}}',
    ],
    "2025-06-02": [
        f'{{"op":"u","ts_ms":1748830320789,"before":{_C9001},"after":{_C9001_USED},{_SRC}}}',
        f'{{"op":"c","ts_ms":1748862000000,"before":null,"after":{_C9003},{_SRC}}}',
        f'{{"op":"d","ts_ms":1748865600000,"before":{_C9002},"after":null,{_SRC}}}',
    ],
}


def _execution(eid, user, group, benefits, ts_wall, ts_ms):
    row = (
        f'{{"id":{eid},"user_id":"{user}","trigger_id":31,"biz_scene_id":41,"strategy_id":51,'
        f'"launch_plan_id":61,"trigger_point_id":71,"prize_pool_id":81,'
        f'"strategy_name":"cart new-buyer coupon","launch_plan_name":"618 new buyers",'
        f'"trigger_point_name":"cart banner","prize_rule_name":"618 platform coupons",'
        f'"crowd_id":91,'
        f'"container_name":"red skin surprise box","experiment_group":"{group}",'
        f'"benefit_info":"{benefits}","execute_time":{ts_wall}}}'
    )
    return f'{{"op":"c","ts_ms":{ts_ms},"before":null,"after":{row},' \
           '"source":{"db":"egrowth_main","table":"user_strategy_execution"}}'


_BENEFIT_101 = '[{\\"benefit_entity_type\\":\\"coupon\\",\\"benefit_entity_id\\":101}]'
_EXECUTIONS = {
    "2025-06-01": [
        _execution(7001, "u1", "A", _BENEFIT_101, 1748771900000, 1748743100000),
        _execution(7002, "u4", "blank", "[]", 1748775600000, 1748746800000),
    ],
    "2025-06-02": [
        _execution(7003, "u5", "A", _BENEFIT_101, 1748858400000, 1748829600000),
    ],
}

_PHOENIX = {
    "2025-06-01": [
        '{"id":"t-0001","user_id":"u6","task_id":5,"task_name":"browse 3 notes",'
        '"benefit_type":"coupon","coupon_template_id":101,"complete_time":"2025-06-01T20:15:00+08:00"}',
    ],
    "2025-06-02": [],
}


def _write(path: Path, lines: list[str], gz: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = "".join(line + "\n" for line in lines).encode()
    if gz:
        path = path.with_name(path.name + ".gz")
        data = gzip.compress(data, mtime=0)
    path.write_bytes(data)


def write_sample(root: Path) -> list[Path]:
    """Land the sample under ``root`` (overwriting); returns the day folders written."""
    root = Path(root)
    folders = []
    for day in DAYS:
        d = f"dt={day}"
        tpl = root / "ods_fls_coupon_template_df" / d
        update = "2025-05-25 09:00:00" if day == DAYS[0] else "2025-06-02 10:30:00"
        _write(tpl / "part-00000.csv",
               [_TEMPLATE_HEADER, _TEMPLATE_101, _TEMPLATE_102.format(update=update)])
        hi = root / "ods_mongo_32004_coupon_template_hi" / d
        for hour in range(24):
            _write(hi / f"part-{hour:02d}.jsonl", _TEMPLATE_HI[day].get(f"{hour:02d}", []))
        _write(root / "ods_mongo_35003_coupon_31006_goods_coupon" / d / "part-00000.jsonl",
               _GOODS_COUPON[day], gz=True)
        _write(root / "ods_binlog_fls_co_limitsalecart__fls_coupon_coupon_df" / d
               / "part-00000.jsonl", _COUPON_BINLOG[day])
        _write(root / "ods_binlog_fls_usergrowth__egrowth_main_user_strategy_execution_di" / d
               / "part-00000.jsonl", _EXECUTIONS[day])
        phoenix = root / "ods_marketing_interact_service_phoenix_task_complete_detail_df" / d
        if _PHOENIX[day]:
            _write(phoenix / "part-00000.jsonl", _PHOENIX[day])
        else:
            phoenix.mkdir(parents=True, exist_ok=True)
            (phoenix / "_EMPTY").write_bytes(b"")
        folders.extend(sorted((root).glob(f"*/{d}")))
    return folders
