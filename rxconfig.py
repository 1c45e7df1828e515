import reflex as rx

from lantong_pwa.first_paint import FirstPaintPlugin
from lantong_pwa.radix_theme import LeanRadixThemesPlugin
from lantong_pwa.script_chunks import OneUiKitFilePlugin
from lantong_pwa.settings import get_settings

# No db_url: the app uses its own SQLModel engine and Alembic setup (lantong_pwa/db.py, alembic/), so Reflex's
# database helpers stay out of the way.
config = rx.Config(
    app_name="lantong_pwa",
    frontend_port=get_settings().port,
    backend_port=get_settings().port,
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
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
