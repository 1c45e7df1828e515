"""财务管理: what the shop owes and is owed (应付 now; receivables, invoices, cash and bank with the finance issue)."""
