"""Asset keys of the presale (预售) tables: the presale sources and the tables above them."""

from marketing_assets.domains.keys import ods

PRESALE_ACTIVITY = ods("ods_mongo_35001_presale_31006_presale_activity")
PRESALE_SALES = ods("ods_mongo_35001_presale_31006_presale_sales")
DEPOSITS = ods("ods_trd_presale_deposit_di")

# derived
PRESALE_GOODS = ("redcdm", "dim_presale_activity_goods_relation_df")
PRESALE_CONVERSION = ("redcdm", "dm_ecm_mkt_presale_conversion_1d_di")
