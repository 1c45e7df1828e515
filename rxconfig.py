import reflex as rx

from lantong_pwa.first_paint import FirstPaintPlugin
from lantong_pwa.radix_theme import LeanRadixThemesPlugin
from lantong_pwa.reflex_internals import runs_backend_only, set_backend_workers
from lantong_pwa.script_chunks import OneUiKitFilePlugin
from lantong_pwa.security_headers import NginxPolicyPlugin, allowed_origins
from lantong_pwa.settings import get_settings

settings = get_settings()
# Several backend workers (LANTONG_WORKERS, one per core by default) only with Redis: they share the browsers' state
# there. Without Redis, one worker keeps it in memory (lantong_pwa/client_state.py says why not on disk).
set_backend_workers(settings.workers)

# No db_url: the app uses its own SQLModel engine and Alembic setup (lantong_pwa/db.py, alembic/), so Reflex's
# database helpers stay out of the way.
config = rx.Config(
    app_name="lantong_pwa",
    # One port for the site and the backend; a chain's processes run backend-only (REFLEX_BACKEND_ONLY set: Reflex
    # refuses a frontend port then), each on its own LANTONG_PORT.
    frontend_port=None if runs_backend_only() else settings.port,
    backend_port=settings.port,
    # The build bakes in where the page finds the websocket: the address phones reach (through nginx in a chain).
    api_url=settings.public_url,
    # Same origin only: HTTP routes answer CORS for this origin alone, and the websocket (socket.io checks the
    # handshake's Origin against the same list) refuses pages of any other site. Reflex's default is every origin.
    cors_allowed_origins=allowed_origins(settings.public_url),
    redis_url=settings.redis_url,
    state_manager_mode=rx.constants.StateManagerMode.REDIS if settings.redis_url else rx.constants.StateManagerMode.MEMORY,
    redis_token_expiration=settings.state_expiry_seconds,
    show_built_with_reflex=False,
    # Build assets are precompressed: brotli for browsers that ask for it (HTTPS, localhost), gzip for the rest.
    frontend_compression_formats=["brotli", "gzip"],
    frontend_lazy_bundled_libraries=True,
    telemetry_enabled=False,
    plugins=[
        LeanRadixThemesPlugin(theme=rx.theme(accent_color="blue", gray_color="slate", radius="medium",
                                                    scaling="100%")),
        FirstPaintPlugin(),
        OneUiKitFilePlugin(),
        NginxPolicyPlugin(),  # after FirstPaintPlugin: the pages' inline scripts as they are served
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
