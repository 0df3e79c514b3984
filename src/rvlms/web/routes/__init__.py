"""HTTP routes: the REST API under ``/api/v1`` and the server-rendered web app."""
