"""Reading files and YAML text into documents that remember where every value came from."""
