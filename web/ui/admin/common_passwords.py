"""Common passwords of 12 characters or more, refused as admin passwords (spec/ui.md §3.4;
a short bundled list from public breach top lists, plus the rules in ``accounts``)."""

from __future__ import annotations

from typing import Final

COMMON: Final = frozenset(
    {
        "123456789012",
        "1234567890123",
        "12345678910",
        "123456789123",
        "password1234",
        "password12345",
        "passwordpassword",
        "qwertyuiop12",
        "qwertyuiopasdf",
        "qwerty123456",
        "1q2w3e4r5t6y",
        "1qaz2wsx3edc",
        "iloveyou1234",
        "administrator",
        "administrator1",
        "adminadmin123",
        "letmein12345",
        "welcome12345",
        "changeme1234",
        "sunshine1234",
        "football1234",
        "baseball1234",
        "princess1234",
        "trustno11234",
        "monkey123456",
        "dragon123456",
        "abc123456789",
        "abcdefghijkl",
        "aaaaaaaaaaaa",
        "111111111111",
        "000000000000",
        "123123123123",
        "987654321098",
        "passw0rd1234",
        "p@ssw0rd1234",
        "superman1234",
        "starwars1234",
        "whatever1234",
        "correcthorsebatterystaple",
    }
)
