"""Promotions (促销, the IPMS promotion system): groups, promotions (a target added to a
group) with their benefit tiers, blacklists and gifts, the goods each live promotion
covers, the 500-day use detail and the seller-level results."""
