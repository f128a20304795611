"""Adapters: the platform edges (Slack, Teams, playground), the HTTP server and the CLI."""
