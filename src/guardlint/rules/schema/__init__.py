"""The schema pack (SCH): every object checked against the Kubernetes API schema of the target version (and
against the CustomResourceDefinitions of the run), and every removed, deprecated or not yet available API
named. Its rules are found in this folder (``guardlint.rules.packs``)."""
