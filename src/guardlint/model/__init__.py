"""The resource model: field paths, resources, pod templates, quantities and the cross-object index."""
