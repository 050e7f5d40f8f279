"""Uploaded media (service logos): the processing pipeline, the store, and the ``/media/`` route.

The pipeline lives here, in ``web``, rather than in ``schema/``: it needs Pillow and defusedxml,
which are far from the dependency-light contracts ``schema/`` holds, and only the HTTP edge
uses it. ``logo`` (detect, re-encode, sanitise) and ``svg`` are pure functions of bytes and are
unit-tested without a server; ``store`` is the port plus its filesystem adapter; ``serve`` is the
read-only route.
"""
