"""`readlist serve`: the library in a browser, a second front end on `Library` (docs/web.md)."""
