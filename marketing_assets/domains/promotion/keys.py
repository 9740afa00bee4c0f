"""Asset keys of the promotion tables: the IPMS sources and the tables built on them."""

from marketing_assets.domains.keys import ods

# promotion system (IPMS, Mongo 35001)
GROUP_ODS = ods("ods_mongo_35001_ipms_31003_promotion_group")
TARGET_INC = ods("ods_mongo_35001_ipms_31003_promotion_target_day_inc")
BENEFIT_INC = ods("ods_mongo_35001_ipms_31003_promotion_benefit_day_inc")
BLACKLIST_ODS = ods("ods_mongo_35001_ipms_31003_promotion_blacklist_target")
GIFT_ODS = ods("ods_mongo_35001_ipms_31003_promotion_gift")
# trade
GOODS_SKU = ods("ods_trd_goods_sku_df")

# derived
GROUP_DAY = ("reddw", "dw_trd_promotion_group_day")
TARGET_BENEFIT_DAY = ("reddw", "dw_trd_promotion_target_benefit_day")
BLACKLIST_DAY = ("reddw", "dw_trd_promotion_blacklist_target_day")
GIFT_DAY = ("reddw", "dw_trd_promotion_gift_day")
PROMOTION_ITEM = ("redcdm", "dwd_ecm_mkt_promotion_item_df")
PROMOTION_USE = ("redcdm", "dm_ecm_trd_mkt_promotion_use_dtl_500d_nd_di")
