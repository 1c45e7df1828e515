"""The notification gateway (X4): configuration, Chinese message templates and the sms / webhook / log channels.

The rules around it (consent, quiet hours, retries, the delivery log) live in ``lantong_pwa/services/care/messaging.py``.
"""
