"""Reads of conversations, with the permission rules for reading."""
