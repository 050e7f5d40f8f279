"""Pydantic contracts of the HTTP API v1: request bodies (strict about unknown fields) and the
response shapes the OpenAPI document describes.

Request models check shapes and types only; every business rule (required combinations, URL
prefixes, lifecycle) is the domain's. Field names are the existing system's wire names.
"""
