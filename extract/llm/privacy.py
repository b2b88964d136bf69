"""Keep note text on this machine unless the user says otherwise.

A server counts as local when its host is `localhost` or every address it resolves to is
loopback (127.0.0.0/8, ::1); anything else needs `allow_remote`.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from pvkg.errors import ConfigError

REMOTE_HINT = "turn on `LLMOptions.allow_remote` to send note text to {host}"


def check_endpoint(url: str, *, allow_remote: bool) -> None:
    """Raise ConfigError unless `url` is an http(s) URL of a loopback host or remote is allowed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"--llm-url must be an http(s) URL with a host, not {url!r}",
            hint="e.g. http://127.0.0.1:8080/v1",
        )
    host = parts.hostname
    if allow_remote or is_loopback(host):
        return
    raise ConfigError(
        f"the LLM server {host} is not on this machine; note text stays local by default",
        hint=REMOTE_HINT.format(host=host),
    )


def is_loopback(host: str) -> bool:
    """Whether `host` (a name or an address) reaches only this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        # A name is loopback only if every address it has is: one public one is enough to leak.
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    addresses = {info[4][0] for info in infos}
    return bool(addresses) and all(ipaddress.ip_address(a).is_loopback for a in addresses)
