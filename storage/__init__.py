"""Storage: tables, the async engine, queries and migrations. Imports neither bot/ nor adapters/."""
