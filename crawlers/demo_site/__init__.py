"""The bundled offline fixture site that `dulun demo` crawls.

Five sources shaped like real Vietnamese outlets (RSS paper, listing paper, sitemap paper,
XenForo-like forum, citizen-feedback JSON API), with invented Vietnamese content dated
2026-W37..2026-W47 and a planted rise of labor issues in Hải Phòng in 2026-W47.
"""
from crawlers.demo_site.server import DEMO_NOW, DemoSite, serve_demo_site

__all__ = ["DEMO_NOW", "DemoSite", "serve_demo_site"]
