"""Rule packs. The built-in packs are listed once, in ``guardlint.rules.packs.BUILTIN_PACKS``; their rules are
found by walking the pack folders when the catalog (``guardlint/rules/_catalog.json``) is generated."""
