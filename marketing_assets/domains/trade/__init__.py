"""Trade, users, goods and sellers: the sources of the trade system (ods.py)."""
