"""The analyzer's SQL: generated from the pure parsers' specs and run by DuckDB."""
