"""The REST API: ``app.py`` (the application), ``deps.py`` (dependencies, errors, cached answers), ``schemas.py``
(public models), ``service.py`` (the warehouse snapshot), ``tables.py`` (the tables shown), ``geo.py`` (region
shapes) and ``routes/`` (one router per resource)."""
