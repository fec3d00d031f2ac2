"""The read-only public JSON API under /api/v1, described by an OpenAPI document.

Everyone is answered as a visitor: the API never looks at who is signed in,
so what it shows is exactly what anyone may see.
"""
