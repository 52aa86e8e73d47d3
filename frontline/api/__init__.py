"""The REST API under /api/v1/: assembles the apps' routers with authentication and errors."""
