"""Reflex State classes: who is asking, one service call, and the result shaped for a page."""
