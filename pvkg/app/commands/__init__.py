"""CLI command modules: each parses options and calls one library function."""
