"""Rendering what a GitOps repository holds: Helm charts and kustomize overlays.

``tree`` decides which inputs belong to a chart or a kustomize tree, ``kustomize`` and ``helm`` render
them, ``mapping`` moves findings on rendered objects back to the lines a person edits, and ``cache``
keeps rendered output by content. Nothing here is imported on the path of a plain manifest check.
"""
