"""The platform under the modules: sign-in, users, roles, settings, audit, numbering, daily figures."""
