"""The /_mock control plane: its routes, fixture and scenario loading, snapshots, OpenAPI."""
