"""Functions the built-in demo runs (``lamtrace.local.demo``): a small shop — an API, a report job, a notifier, a
queue worker. Shipped inside the package so ``lamtrace demo`` works from an installed wheel."""
