"""The figures page: HTML with server-drawn charts, its CSV, and the routes behind signed links."""
