"""Rule packs. Built-in packs are listed explicitly in ``guardlint.rules.registry.builtin_packs``."""
