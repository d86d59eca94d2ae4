"""HTTP layer: JSON API (OpenAPI at /openapi.json) and, later, server-rendered pages. Thin: calls services."""
