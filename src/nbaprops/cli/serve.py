"""Command `serve`: the read API and the dashboard over the warehouse."""

from __future__ import annotations

from typing import Annotated

import typer

from nbaprops.cli.app import app, settings
from nbaprops.cli.console import console, handle_errors

__all__: list[str] = []


@app.command("serve")
@handle_errors
def serve_cmd(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
) -> None:
    """Serve the read-only API and the dashboard (FastAPI + uvicorn).

    The warehouse is opened read-only for each request and closed after it, so a run or
    backfill can write meanwhile (while one holds the file, /health says so).
    Dashboard: http://HOST:PORT/dashboard · API docs: http://HOST:PORT/docs

    Example: nbaprops serve --port 8000
    """
    import uvicorn

    from nbaprops.api import create_app

    s = settings()
    console.print(f"serving {s.warehouse_url} at http://{host}:{port}/dashboard (API docs: /docs)")
    uvicorn.run(create_app(s), host=host, port=port, log_level="warning")
