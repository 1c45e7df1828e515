"""维修管理: intake, work orders, dispatch, the job clock, the board, completion, queries."""
