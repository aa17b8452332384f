"""Pure parsers, one module per source format: text in, values out, no I/O."""
