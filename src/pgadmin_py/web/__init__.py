"""The Litestar app: controllers, templates, security, SSE. Nothing imports this package."""
