"""Asset keys of the campaign (大促活动) tables: the listings sources and the tables above them."""

from marketing_assets.domains.keys import ods

ACTIVITY = ods("ods_mongo_35001_listings_31003_activity")
SUB_ACTIVITY = ods("ods_mongo_35001_listings_31003_sub_activity")
CAMPAIGN_ITEM = ods("ods_mongo_35001_listings_31003_campaign_item")

# derived
ACTIVITY_RELATION = ("redcdm", "dim_trd_activity_sub_activity_relation_day")
PARTICIPATE_GOODS = ("redcdm", "dwd_ecm_mkt_activity_participate_goods_dtl_1d_df")
ACTIVITY_SUPPLY = ("redcdm", "dm_ecm_mkt_activity_supply_1d_di")
