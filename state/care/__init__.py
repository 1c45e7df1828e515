"""客户关系: the customer file, follow-ups, reminders, complaints, messaging, satisfaction, churn."""
