"""The coupon domain (4.1): the coupon centre's sources (``ods``), template and claim facts,
phoenix tasks, triggers, uses and the 600-day claim → use tables, and the seller-level
results, one module per table or small family; ``catalog.TABLES`` lists them as built."""
