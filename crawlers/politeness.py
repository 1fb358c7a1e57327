"""Switches that make a crawl less polite than the defaults, named so each run can say so.

Politeness protects other people's sites, so turning any of it off is the operator's explicit
choice: the crawl child logs every such switch once at start and records them with each run
(`crawl_runs.politeness`), where `dulun status` shows them.
"""
from __future__ import annotations

from crawlers.hosts import literal_address
from core.settings import CrawlSettings


def is_loopback_host(host: str) -> bool:
    address = literal_address(host)
    return host.strip().lower() == "localhost" if address is None else address.is_loopback


def politeness_switches(crawl: CrawlSettings) -> list[str]:
    """One short phrase per way these settings are less polite than the defaults."""
    switches = []
    if not crawl.obey_robots:
        switches.append("robots.txt not obeyed (crawl.obey_robots = false)")
    others = [h for h in crawl.unthrottled_hosts if not is_loopback_host(h)]
    if others:
        switches.append(f"unthrottled hosts beyond loopback: {', '.join(others)}")
    if not crawl.contact_url or crawl.contact_url not in crawl.resolved_user_agent:
        switches.append("user agent without the contact URL")
    return switches
