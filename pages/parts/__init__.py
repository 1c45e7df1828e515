"""配件进销存: the parts catalogue, the stock ledger, picking and returns."""
