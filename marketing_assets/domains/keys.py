"""Asset keys of the tables the derived layers read, in one place."""

ODS = "redods"


def ods(table: str) -> tuple[str, str]:
    return (ODS, table)


# coupon centre
COUPON_TEMPLATE_MYSQL = ods("ods_fls_coupon_template_df")
COUPON_LIMIT_MYSQL = ods("ods_fls_coupon_template_limit_df")
CLAIMED_COUPON_MYSQL = ods("ods_binlog_fls_co_limitsalecart__fls_coupon_coupon_df")
PHOENIX_LOG = ods("ods_marketing_interact_service_phoenix_task_complete_detail_df")
# growth platform
EXECUTION_EVENTS = ods("ods_binlog_fls_usergrowth__egrowth_main_user_strategy_execution_di")
TRIGGER = ods("ods_egrowth_main_trigger_df")
BIZSCENE = ods("ods_egrowth_main_bizscene_df")
CROWD = ods("ods_egrowth_main_rainbow_crowd_config_df")
# allowances
ALLOWANCE = ods("ods_binlog_fls_allowance_allowance_allowance_df")
ALLOWANCE_RECORD = ods("ods_binlog_fls_allowance_allowance_allowance_record_df")
ALLOWANCE_DETAIL = ods("ods_binlog_fls_allowance_allowance_allowance_record_detail_df")
ALLOWANCE_TEMPLATE = ods("ods_member_points_template")
# trade
ORDER_LINES = ods("ods_trd_order_package_goods_di")
DISCOUNTS = ods("ods_trd_order_discount_detail_di")
REFUNDS = ods("ods_trd_refund_di")
GOODS = ods("ods_trd_goods_info_df")
USERS = ods("ods_trd_user_info_df")
VISITS = ods("ods_trd_goods_visit_di")
# promotions
PROMOTION_GROUP = ods("ods_mongo_35001_ipms_31003_promotion_group")

# derived
COUPON_TEMPLATE_DAY = ("reddw", "dw_trd_coupon_template_day")
GOODS_COUPON_DAY = ("reddw", "dw_trd_goods_coupon_day")
COUPON_USE = ("redcdm", "dm_ecm_trd_mkt_activity_coupon_use_df")
COUPON_GET_USE_600D = ("redcdm", "dm_ecm_trd_mkt_activity_coupon_get_use_600d_di")
PHOENIX_DETAIL = ("redcdm", "dwd_ecm_mkt_nteract_service_phoenix_task_complete_detail_df")
EXECUTION = ("redcdm", "dwd_ecm_mkt_user_strategy_execution_di")
EXECUTION_BENEFIT = ("redcdm", "dwd_ecm_mkt_user_strategy_execution_benefit_di")
EXECUTION_COUPON = ("redcdm", "dwd_ecm_mkt_user_strategy_execution_coupon_di")
EXECUTION_ALLOWANCE = ("redcdm", "dwd_ecm_mkt_user_strategy_execution_allowance_di")
EXECUTION_COUPON_FULL = ("redcdm", "dwd_ecm_mkt_user_strategy_execution_coupon_df")
ALLOWANCE_TEMPLATE_DAY = ("redcdm", "dim_trd_allowance_template_day")
USER_NITEM_LABEL = ("redcdm", "dim_ecm_user_nitem_label_extend_df")
USER_LABEL = ("redcdm", "dim_ecm_user_label_extend_df")
TOC_USER_LEVEL = ("redapp", "app_ecm_toc_user_level_1d_df")
