"""tracker: an event-sourced diplomatic timeline tracker."""

__version__ = "0.1.0"
