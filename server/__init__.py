"""Parley's Django project package."""
