"""The shop's rules. Each function takes a SQLModel ``Session`` (and the acting user where it matters), raises
``DomainError`` with a Chinese message on bad input, and never imports Reflex."""
