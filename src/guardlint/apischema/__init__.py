"""Kubernetes API schemas: the shipped per-version schemas of built-in kinds, CustomResourceDefinition schemas,
a validator for the OpenAPI subset they use, and the API lifecycle table (removed and deprecated APIs)."""
