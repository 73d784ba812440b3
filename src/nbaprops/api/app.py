"""The FastAPI application: the JSON API, the dashboard and their static assets."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

import nbaprops
from nbaprops.api import dashboard
from nbaprops.api.routes import router
from nbaprops.core.config import Settings
from nbaprops.core.errors import InputError, NbapropsError, WarehouseError

__all__ = ["PLOTLY_JS", "create_app"]

HERE = Path(__file__).resolve().parent


def _plotly_js() -> Path:
    import plotly

    return Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"


PLOTLY_JS = _plotly_js()
"""The charting library, served from the installed ``plotly`` package (no CDN, nothing vendored).
The API docs pages (``/docs``, ``/redoc``) take theirs from ``fastapi-offline`` likewise."""


async def _input_error(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=422)


async def _warehouse_error(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=503)


async def _other_error(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=500)


def create_app(settings: Settings) -> FastAPI:
    """The read-only app over the warehouse the settings name.

    Args:
        settings: where the warehouse is (opened read-only per request).
    """
    app = FastAPIOffline(  # /docs and /redoc with their assets served by the app, not a CDN
        title="nbaprops",
        version=nbaprops.__version__,
        description=(
            "Read-only API over the nbaprops warehouse: tonight's calls, how the calls have done, "
            "and whether the pipeline is complete. The dashboard is at /dashboard."
        ),
    )
    app.state.settings = settings
    app.add_exception_handler(InputError, _input_error)
    app.add_exception_handler(WarehouseError, _warehouse_error)
    app.add_exception_handler(NbapropsError, _other_error)
    app.include_router(router)
    app.include_router(dashboard.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        return FileResponse(PLOTLY_JS, media_type="text/javascript")

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/dashboard")

    return app
