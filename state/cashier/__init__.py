"""维修结算/业务收款: settlement by payer, payments, member cards."""
