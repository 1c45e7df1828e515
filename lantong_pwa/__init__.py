"""Lantong (蓝通): auto repair shop management.

The package holds the Reflex app assembly (``lantong_pwa.lantong_pwa``) and, in ``services``, the shop's rules
as plain Python functions that take a database session and never import Reflex.
"""
