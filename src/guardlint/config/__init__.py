"""Configuration: the ``.guardlint.yaml`` file, presets, and the resolved run plan."""
