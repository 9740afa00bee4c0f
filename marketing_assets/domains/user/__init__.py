"""Trade-user tables (交易用户标签): first-order labels, user labels, metrics, levels and algorithm base labels."""
