"""What the index build and its readers share: mention kinds, normalized keys, and the
layout of the index directory (SQLite schema, array files, manifest)."""
