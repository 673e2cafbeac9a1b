"""Commands that prove the log is whole: verify, backup."""

from __future__ import annotations
