"""Campaigns (大促活动, the listings system): the activity ↔ sub-activity relation, the goods
sign-up detail and the supply (sign-ups and audits) per activity and sub-activity."""
