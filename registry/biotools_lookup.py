"""The registration form's bio.tools look-up (spec/ui.md §5.3 "bio.tools prefill"): the workers'
client behind the web package's ``BioToolsLookup`` port, wired here because ``web`` must not
import ``workers``. One attempt with a 5 s timeout; every failure becomes the port's error."""

from __future__ import annotations

from typing import Any

import httpx

from web.ports import BioToolsLookupFailed
from workers.biotools_client import (
    BioToolsClient,
    BioToolsError,
    BioToolsNotFound,
    BioToolsRateLimited,
    BioToolsUnavailable,
)

#: The prefill's budget: a person is waiting for it.
TIMEOUT = httpx.Timeout(5.0, connect=3.0)


class ClientLookup:
    """``BioToolsLookup`` over a :class:`BioToolsClient` (its own connection pool)."""

    def __init__(self, base_url: str, transport: httpx.BaseTransport | None = None) -> None:
        self.client = BioToolsClient(base_url, transport=transport, timeout=TIMEOUT)

    def lookup(self, biotools_id: str) -> dict[str, Any]:
        """The tool's flat record; :class:`BioToolsLookupFailed` with a short reason."""
        try:
            return self.client.fetch(biotools_id).record
        except BioToolsNotFound:
            raise BioToolsLookupFailed(f"no tool with the id '{biotools_id}'") from None
        except BioToolsRateLimited:
            raise BioToolsLookupFailed("bio.tools is busy; try again in a minute") from None
        except BioToolsUnavailable as exc:
            raise BioToolsLookupFailed(f"bio.tools could not be reached ({exc.reason})") from None
        except BioToolsError:
            raise BioToolsLookupFailed("bio.tools gave an answer that could not be read") from None

    def close(self) -> None:
        """Close the client's connections."""
        self.client.close()
